"""Interpretation latency in-process: every utterance of the evaluation set interpreted several times,
percentiles per kind and overall (target p99 under 5 ms), and, for comparison, dateparser on the same
spoken dates (its accuracy and latency). Usage: python -m tools.bench_nlu [--rounds N] [--no-dateparser]"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import datetime
from typing import Any

from tools.eval_nlu import load_cases, run_case

TARGET_P99_MS = 5.0


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at a fraction (0..1) of the sorted samples (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def _line(label: str, samples: list[float]) -> str:
    return (f"{label:12} n={len(samples):6d}  p50={percentile(samples, 0.5):6.3f} ms"
            f"  p95={percentile(samples, 0.95):6.3f} ms"
            f"  p99={percentile(samples, 0.99):6.3f} ms  max={max(samples):7.3f} ms")


def bench_interpreters(rounds: int) -> dict[str, list[float]]:
    """Milliseconds per interpretation, per kind."""
    cases = load_cases()
    for kind, items in cases.items():  # warm caches and imports, as a running service would be
        for case in items:
            run_case(kind, case)
    timings: dict[str, list[float]] = {kind: [] for kind in cases}
    for _ in range(rounds):
        for kind, items in cases.items():
            for case in items:
                started = time.perf_counter()
                run_case(kind, case)
                timings[kind].append((time.perf_counter() - started) * 1000)
    return timings


def bench_dateparser() -> dict[str, Any]:
    """dateparser on the spoken datetime utterances: first call, percentiles and how many it gets right."""
    from zoneinfo import ZoneInfo

    import dateparser

    cases = load_cases()["datetime"]
    samples, correct = [], 0
    first_call = None
    for case in cases:
        zone = ZoneInfo(case["timezone"])
        now = datetime.fromisoformat(case["now"]).astimezone(zone)
        started = time.perf_counter()
        parsed = dateparser.parse(case["text"], languages=["en"], settings={
            "RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future"})
        elapsed = (time.perf_counter() - started) * 1000
        first_call = elapsed if first_call is None else first_call
        samples.append(elapsed)
        value = parsed.replace(tzinfo=zone).isoformat() if parsed and parsed.replace(tzinfo=zone) > now else None
        correct += value == case["expected"]
    return {"samples": samples[1:], "first_call": first_call, "correct": correct, "total": len(cases)}


def main(argv: list[str] | None = None) -> None:
    """Print interpretation latency percentiles and the machine they were measured on."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-dateparser", action="store_true")
    args = parser.parse_args(argv)
    print(f"NLU interpretation latency, in-process ({platform.platform()}, python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs)")
    timings = bench_interpreters(args.rounds)
    everything = [sample for samples in timings.values() for sample in samples]
    for kind, samples in timings.items():
        print(_line(kind, samples))
    print(_line("all", everything))
    p99 = percentile(everything, 0.99)
    print(f"target p99 < {TARGET_P99_MS} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'} "
          f"(mean {statistics.fmean(everything):.3f} ms)")
    if not args.no_dateparser:
        result = bench_dateparser()
        print(f"for comparison, dateparser on the same spoken dates: {result['correct']}/{result['total']} right, "
              f"first call {result['first_call']:.0f} ms")
        print(_line("dateparser", result["samples"]))


if __name__ == "__main__":
    main()
