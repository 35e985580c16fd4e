"""A small mutation tester for the code that guards money, privacy and correctness (`make mutate`).

Each target names a module, the functions in it to mutate and the tests that must notice. For every
mutation point (a comparison flipped, `and` made `or`, a `not` dropped, a condition negated, a constant
changed, a `raise` or a call statement removed, a return value replaced, + made -) the module is
rewritten with that one change, the tests run in a fresh interpreter, and the mutant counts as killed
when they fail or time out. Mutants are written into a scratch copy of the source tree, never into the
checkout itself, so tests run meanwhile see the real code. Scores are printed per target, survivors
with their line, and the report is written to var/mutation/report.json.

mutmut and cosmic-ray were not used: both want the whole suite per mutant or their own runner layout,
while here each target needs its own short list of tests on real Postgres to stay within minutes.
Survivors judged equivalent are explained in docs/testing.md.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    """One module, the functions of it to mutate, and the pytest arguments (test files, -k) that must
    kill the mutants."""

    name: str
    path: str
    functions: tuple[str, ...]
    tests: tuple[str, ...]
    in_process: bool = False  # unit tests without fixtures: run by pytest.main here, no new interpreter

    @property
    def module(self) -> str:
        """The dotted module name of `path`."""
        return self.path.removesuffix(".py").replace("/", ".")


TARGETS: tuple[Target, ...] = (
    Target("security", "shared/security.py",
           ("twilio_request_url", "is_valid_twilio_request", "bearer_token_matches", "require_twilio_signature",
            "require_service_token", "require_admin_token"),
           ("tests/shared/test_security_guards.py",), in_process=True),
    Target("log-redaction", "shared/log.py", ("register_sensitive", "scrub", "_mask_phone", "RedactionFilter"),
           ("tests/shared/test_logging.py", "tests/shared/test_redaction_rules.py", "-k", "not whole_booking_call"),
           in_process=True),
    Target("slot-arithmetic", "services/calendly/scheduling.py",
           ("Schedule", "Slot", "grid_slots", "bookable_window", "_merged", "free_slots", "nearest", "slot_problem"),
           ("tests/scheduling/test_slot_rules.py", "tests/scheduling/test_slot_edges.py"), in_process=True),
    Target("booking-core", "services/calendly/service.py",
           ("_lost_race", "book_appointment", "_within_booking_limits", "_require_booked", "cancel_appointment"),
           ("tests/scheduling/test_booking_retries.py",
            "tests/calls/test_verification_api.py::test_booking_limits_per_number_and_per_call",
            *(f"tests/scheduling/test_appointments_api.py::{name}" for name in (
                "test_a_cancelled_slot_can_be_booked_again_and_then_not_twice",
                "test_lead_time_and_horizon_through_the_api",
                "test_cancelling_twice_is_harmless_and_the_slot_is_offered_again", "test_cancel_errors",
                "test_a_booking_or_move_that_loses_a_deadlock_is_a_clean_409",
                "test_the_database_itself_lets_a_cancelled_row_share_its_slot")))),
    Target("sms-exactly-once", "services/calendly/outbox.py",
           ("notification_key", "record_notification", "_superseded", "due_notifications", "dispatch_pending"),
           ("tests/scheduling/test_outbox_exactly_once.py",)),
    Target("webhook-verifier", "services/calendly/webhooks.py", ("verify_signature",),
           ("tests/calendly_sync/test_webhook_verifier.py",), in_process=True),
    Target("tts-cache-key", "services/tts/audio_cache.py", ("cache_key", "object_key", "candidate_object_keys"),
           ("tests/tts/test_cache_key.py",), in_process=True),
)

_COMPARE_SWAPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
                  ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
                ast.Mod: ast.Mult, ast.Pow: ast.Mult}
_LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


@dataclass
class Mutant:
    """One change at one place."""

    index: int
    line: int
    description: str
    outcome: str = "pending"
    seconds: float = 0.0


def _is_log_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LOG_METHODS and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("log", "logger", "logging"))


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return (isinstance(parent, ast.Expr) and isinstance(node, ast.Constant) and isinstance(node.value, str))


def _mutations(node: ast.AST, parent: ast.AST | None) -> list[tuple[str, object]]:
    """The changes possible at one node: (description, how) pairs, `how` understood by _apply."""
    return _expression_mutations(node, parent) + _statement_mutations(node)


def _expression_mutations(node: ast.AST, parent: ast.AST | None) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            swap = _COMPARE_SWAPS.get(type(op))
            if swap:
                found.append((f"{type(op).__name__} -> {swap.__name__}", ("compare", position, swap)))
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        found.append((f"{type(node.op).__name__} -> {other.__name__}", ("boolop", other)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        found.append(("drop not", ("drop_not",)))
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        swap = _BINOP_SWAPS[type(node.op)]
        found.append((f"{type(node.op).__name__} -> {swap.__name__}", ("binop", swap)))
    elif isinstance(node, ast.Constant) and not _is_docstring(node, parent):
        value = node.value
        if isinstance(value, bool):
            found.append((f"{value} -> {not value}", ("constant", not value)))
        elif isinstance(value, (int, float)):
            found.append((f"{value} -> {value + 1}", ("constant", value + 1)))
    return found


def _statement_mutations(node: ast.AST) -> list[tuple[str, object]]:
    if isinstance(node, (ast.If, ast.While)):
        return [("negate condition", ("negate",))]
    if isinstance(node, ast.Raise):
        return [("raise -> return None", ("raise_to_return",))]
    if isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        return [("return value -> None", ("return_none",))]
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and not _is_log_call(node.value):
        return [("call statement removed", ("remove_call",))]
    return []


def _walk_targets(tree: ast.Module, functions: tuple[str, ...]):
    """(node, parent) for every node inside the named top-level functions and classes, in a fixed order."""
    for top in tree.body:
        if isinstance(top, (ast.FunctionDef, ast.ClassDef)) and top.name in functions:
            stack: list[tuple[ast.AST, ast.AST | None]] = [(top, None)]
            while stack:
                node, parent = stack.pop(0)
                yield node, parent
                children = list(ast.iter_child_nodes(node))
                if _is_log_call(node):
                    continue
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    children = [child for child in children if child not in node.decorator_list
                                and not isinstance(child, ast.arguments)]
                if isinstance(node, ast.AnnAssign) or isinstance(node, ast.arg):
                    children = [child for child in children if child is not getattr(node, "annotation", None)]
                if isinstance(node, ast.FunctionDef) and node.returns is not None:
                    children = [child for child in children if child is not node.returns]
                stack.extend((child, node) for child in children)


def enumerate_mutants(source: str, functions: tuple[str, ...]) -> list[Mutant]:
    """Every mutation point of the named functions."""
    tree = ast.parse(source)
    mutants = []
    for node, parent in _walk_targets(tree, functions):
        for description, _how in _mutations(node, parent):
            mutants.append(Mutant(len(mutants), getattr(node, "lineno", 0), description))
    return mutants


def mutated_source(source: str, functions: tuple[str, ...], index: int) -> str:
    """The module's source with mutation number `index` applied."""
    tree = ast.parse(source)
    count = 0
    for node, parent in _walk_targets(tree, functions):
        for _description, how in _mutations(node, parent):
            if count == index:
                _apply(node, parent, how)
                return ast.unparse(ast.fix_missing_locations(tree))
            count += 1
    raise IndexError(index)


def _replace_in_parent(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if isinstance(value, list):
            for position, item in enumerate(value):
                if item is old:
                    value[position] = new
                    return
        elif value is old:
            setattr(parent, name, new)
            return
    raise LookupError("node not found in its parent")


def _apply(node: ast.AST, parent: ast.AST | None, how: tuple) -> None:
    kind = how[0]
    if kind == "compare":
        node.ops[how[1]] = how[2]()
    elif kind == "boolop":
        node.op = how[1]()
    elif kind == "drop_not":
        _replace_in_parent(parent, node, node.operand)
    elif kind == "binop":
        node.op = how[1]()
    elif kind == "negate":
        node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
    elif kind == "constant":
        node.value = how[1]
    elif kind == "raise_to_return":
        _replace_in_parent(parent, node, ast.Return(value=ast.Constant(value=None)))
    elif kind == "return_none":
        node.value = ast.Constant(value=None)
    elif kind == "remove_call":
        _replace_in_parent(parent, node, ast.Pass())


def scratch_copy() -> Path:
    """A copy of the source tree (no virtualenv, git or var) for the mutants; the caller removes it."""
    folder = Path(tempfile.mkdtemp(prefix="mutation-"))
    shutil.copytree(ROOT, folder / "tree", symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", ".git", "var", "__pycache__", ".pytest_cache"))
    return folder / "tree"


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float) -> tuple[str, float]:
    """'killed' when the tests fail or time out, 'survived' when they pass."""
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:logging",
               "-W", "ignore", *tests]
    env = {**os.environ, "HYPOTHESIS_SEED": os.environ.get("HYPOTHESIS_SEED", "0")}
    specs = next((parent / "shared" / "vendor-specs" for parent in ROOT.parents
                  if (parent / "shared" / "vendor-specs").is_dir()), None)
    if specs is not None and "VENDOR_SPECS_DIR" not in env:
        env["VENDOR_SPECS_DIR"] = str(specs)  # the scratch tree has no vendor specs beside it
    try:
        result = subprocess.run(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return "killed (timeout)", time.monotonic() - started
    outcome = "survived" if result.returncode == 0 else "killed"
    if result.returncode in (2, 3, 4):  # interrupted, internal error, usage error: not a verdict on the mutant
        outcome = "killed (error)"
    return outcome, time.monotonic() - started


class _Timeout(KeyboardInterrupt):
    """Raised by the alarm when an in-process run takes too long (pytest stops on KeyboardInterrupt)."""


def run_in_process(tree: Path, target: Target, timeout: float) -> tuple[str, float]:
    """Like run_tests, in this interpreter: the mutated module and the test modules are imported afresh
    from the scratch tree; an endless loop is cut by an alarm."""
    import pytest

    for name in [name for name in sys.modules if name == target.module or name.startswith("tests.")
                 or name == "tests"]:
        del sys.modules[name]
    sys.path[:] = [str(tree)] + [entry for entry in sys.path if entry not in ("", str(ROOT), ".")]

    def expire(_signum, _frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:logging", "--noconftest",
                                "-W", "ignore", "--hypothesis-seed=0", "--rootdir", str(tree),
                                *[str(tree / test) if test.startswith("tests/") else test for test in target.tests]],
                               plugins=[])
    except _Timeout:
        code = 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.monotonic() - started
    if code == 0:
        return "survived", seconds
    return ("killed (timeout)" if code == 2 else "killed"), seconds


def _run(tree: Path, target: Target, timeout: float) -> tuple[str, float]:
    if target.in_process:
        return run_in_process(tree, target, timeout)
    return run_tests(tree, target.tests, timeout)


def mutate_target(tree: Path, target: Target, limit: int | None, only: set[int] | None = None) -> list[Mutant]:
    """Run every mutant of one target in the scratch tree; the module is restored whatever happens."""
    path = tree / target.path
    original = path.read_text()
    mutants = [mutant for mutant in enumerate_mutants(original, target.functions)
               if only is None or mutant.index in only][:limit]
    baseline, seconds = _run(tree, target, timeout=900)
    if baseline != "survived":
        print(f"  {target.name}: the tests fail on the unmutated code ({' '.join(target.tests)}); skipped", flush=True)
        return []
    timeout = max(10.0 if target.in_process else 30.0, seconds * 4)
    try:
        for mutant in mutants:
            path.write_text(mutated_source(original, target.functions, mutant.index))
            mutant.outcome, mutant.seconds = _run(tree, target, timeout)
            print(f"  {target.name} #{mutant.index} line {mutant.line} {mutant.description}: {mutant.outcome}",
                  flush=True)
    finally:
        path.write_text(original)
    return mutants


@contextlib.contextmanager
def private_redis():
    """A redis-server of the run's own on a free port, so mutants never flush a Redis others use."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (tools/ensure_backends.sh installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def main(argv: list[str] | None = None) -> int:
    """Mutate the chosen targets (default all), print per-target scores and survivors, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", action="append", choices=[target.name for target in TARGETS],
                        help="only these targets (repeatable)")
    parser.add_argument("--limit", type=int, help="at most this many mutants per target (a quick look)")
    parser.add_argument("--list", action="store_true", help="list the mutants without running them")
    parser.add_argument("--only", type=lambda value: {int(item) for item in value.split(",")},
                        help="only these mutant numbers (comma-separated; with one --target), to recheck survivors")
    args = parser.parse_args(argv)
    chosen = [target for target in TARGETS if not args.target or target.name in args.target]
    report: dict[str, dict] = {}
    if args.list:
        for target in chosen:
            for mutant in enumerate_mutants((ROOT / target.path).read_text(), target.functions):
                print(f"{target.name} #{mutant.index} line {mutant.line}: {mutant.description}")
        return 0
    tree = scratch_copy()
    try:
        with private_redis() as redis_url:
            os.environ["TEST_REDIS_URL"] = redis_url
            os.environ["TEST_DATABASE_URL"] = _mutation_database()
            for target in chosen:
                print(f"{target.name}: {target.path} against {' '.join(target.tests)}", flush=True)
                report[target.name] = _score(target, mutate_target(tree, target, args.limit, args.only))
                row = report[target.name]
                print(f"  {target.name}: {row['killed']}/{row['mutants']} killed, {row['score']}%", flush=True)
    finally:
        shutil.rmtree(tree.parent, ignore_errors=True)
    _print_report(report)
    return 0


def _mutation_database() -> str:
    """A database of the mutants' own next to TEST_DATABASE_URL's (the suite creates it when missing)."""
    from sqlalchemy.engine import make_url

    url = make_url(os.environ.get("TEST_DATABASE_URL",
                                  "postgresql+psycopg2://postgres@127.0.0.1:5432/receptionist_test"))
    return url.set(database=f"{url.database.removesuffix('_mutation')}_mutation").render_as_string(hide_password=False)


def _score(target: Target, mutants: list[Mutant]) -> dict:
    """One target's line of the report."""
    killed = sum(mutant.outcome.startswith("killed") for mutant in mutants)
    return {
        "module": target.path, "functions": list(target.functions), "mutants": len(mutants), "killed": killed,
        "score": round(100 * killed / len(mutants), 1) if mutants else 100.0,
        "survivors": [{"index": m.index, "line": m.line, "mutation": m.description}
                      for m in mutants if m.outcome == "survived"],
    }


def _print_report(report: dict[str, dict]) -> None:
    """Scores per module and the survivors; the report also goes to var/mutation/report.json."""
    print("\nmutation score per module")
    for name, row in report.items():
        print(f"  {name:18} {row['module']:34} {row['killed']:3}/{row['mutants']:<3} killed  {row['score']:5.1f}%")
        for survivor in row["survivors"]:
            print(f"      survived: #{survivor['index']} line {survivor['line']} {survivor['mutation']}")
    out = ROOT / "var" / "mutation" / "report.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"report: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
