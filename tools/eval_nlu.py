"""Accuracy of the receptionist_agent interpreters on the labelled utterances in tests/data/nlu/*.jsonl.

Each line: {"text", "expected"} plus the context the call would send ("now", "timezone", "roster" naming
a doctor list in doctors.json, "region"). "expected": null means the interpreter must not give a value.
Usage: python -m tools.eval_nlu [--data DIR] [--show-failures]"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from services.receptionist_agent.interpret import KINDS, interpret

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "nlu"
TARGET = 0.97


def load_cases(data: Path = DATA) -> dict[str, list[dict[str, Any]]]:
    """The labelled utterances per kind, each with its call context resolved. A line's kind is its "kind"
    field or else its file's name; its doctors are inline ("doctors") or a list named in doctors.json."""
    rosters_file = data / "doctors.json"
    rosters = json.loads(rosters_file.read_text()) if rosters_file.exists() else {}
    cases: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(data.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            kind = case.get("kind", path.stem)
            if kind not in KINDS:
                continue
            if "expected" not in case:
                case["expected"] = case.get("value")
            if "roster" in case:
                case["doctors"] = rosters[case["roster"]]
            cases.setdefault(kind, []).append(case)
    return {kind: cases[kind] for kind in KINDS if kind in cases}


def run_case(kind: str, case: dict[str, Any]) -> dict[str, Any]:
    """The interpreter's answer for one labelled utterance."""
    context: dict[str, Any] = {"timezone": case.get("timezone", "UTC"), "region": case.get("region", "US")}
    if case.get("now"):
        context["now"] = datetime.fromisoformat(case["now"])
    if "doctors" in case:
        context["doctors"] = case["doctors"]
    return interpret(kind, case["text"], **context)


def evaluate(data: Path = DATA) -> dict[str, dict[str, Any]]:
    """{kind: {"total", "correct", "accuracy", "failures": [(text, expected, answer)]}}."""
    results: dict[str, dict[str, Any]] = {}
    for kind, cases in load_cases(data).items():
        failures = []
        for case in cases:
            answer = run_case(kind, case)
            if answer.get("value") != case["expected"]:
                failures.append((case["text"], case["expected"], answer))
        total = len(cases)
        results[kind] = {"total": total, "correct": total - len(failures),
                         "accuracy": (total - len(failures)) / total if total else 0.0, "failures": failures}
    return results


def main(argv: list[str] | None = None) -> int:
    """Print accuracy per kind; exit 1 when a kind is under the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)
    results = evaluate(args.data)
    print(f"{'kind':10} {'correct':>8} {'total':>6} {'accuracy':>9}")
    for kind, result in results.items():
        print(f"{kind:10} {result['correct']:>8} {result['total']:>6} {result['accuracy']:>8.1%}")
        if args.show_failures:
            for text, expected, answer in result["failures"]:
                print(f"    {text!r}: expected {expected!r}, got {answer}")
    total = sum(result["total"] for result in results.values())
    correct = sum(result["correct"] for result in results.values())
    print(f"{'all':10} {correct:>8} {total:>6} {correct / max(total, 1):>8.1%}  (target {TARGET:.0%} per kind)")
    return 0 if all(result["accuracy"] >= TARGET for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
