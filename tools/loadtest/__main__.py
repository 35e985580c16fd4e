"""`make loadtest`: bring up the split deployment, let Locust callers place whole calls through the path
router, measure capacity against the architecture's floor (bare Flask services making as many internal
hops per turn as the real call mix) and a one-app fixed-TwiML baseline, check the database for double
bookings, and print a self-explanatory report. Progress is printed while callers run; the run folder
keeps the report (JSON), Locust's HTML reports and a plot of turns/s and p99 over the caller phase.

    python -m tools.loadtest                      # full: 1,000 callers to 50 clinics for 5 minutes
    python -m tools.loadtest --short              # CI: 50 callers for 30 s
    python -m tools.loadtest --users 300 --duration 120 --worker-class gevent --profile booking_handler

Exit status: 0 when no call failed and no two booked appointments overlap, 1 otherwise. The latency
target (webhook p99 < 250 ms) is reported as PASS/FAIL but does not fail the run, because on a shared
machine it measures the neighbours as much as the system.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tools.loadtest.callers import ThinkTime
from tools.loadtest.clinics import add_clinic_copies
from tools.loadtest.deployment import (
    ROOT,
    GunicornSettings,
    SplitDeployment,
    booking_counts,
    prepare_database,
    wait_for_texts,
)
from tools.loadtest.plot import plot_timeline

P99_TARGET_MS = 250.0
DEFAULT_DATABASE_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/receptionist_loadtest"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --short sets the CI defaults."""
    parser = argparse.ArgumentParser(prog="python -m tools.loadtest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="CI form: 50 callers, 30 s, short think time")
    parser.add_argument("--users", type=int, help="concurrent callers (default 1000; short 50)")
    parser.add_argument("--spawn-rate", type=float, help="callers started per second (default users/20)")
    parser.add_argument("--duration", type=int, help="seconds of calling (default 300; short 30)")
    parser.add_argument("--think", help="how long a caller takes per turn: 'prompt' (default: hear the prompt, then "
                        "answer in 1-3 s), 'prompt:MIN,MAX' (other answering times) or 'MIN,MAX' flat seconds "
                        "(short 0.5,1.5)")
    parser.add_argument("--pause", default="1,3", help="seconds between one caller's calls, min,max")
    parser.add_argument("--mix", default="",
                        help="call mix, e.g. book=60,cancel=15,reschedule=10,availability=10,staff=5")
    parser.add_argument("--clinics", type=int,
                        help="clinic copies added to the two demo clinics (default 48; short 0)")
    parser.add_argument("--capacity-users", type=int, default=32,
                        help="callers without think time in the capacity phase")
    parser.add_argument("--capacity-seconds", type=int,
                        help="seconds per capacity measurement (default 20; short 5; 0 skips)")
    parser.add_argument("--worker-class", default=os.environ.get("LOADTEST_WORKER_CLASS", "gthread"),
                        choices=("gthread", "gevent"))
    parser.add_argument("--workers", type=int, default=1,
                        help="gunicorn workers per service (mind Postgres max_connections)")
    parser.add_argument("--threads", type=int, default=32, help="threads per gthread worker")
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("LOADTEST_BASE_PORT", "0")),
                        help="router port; services follow it (0 = any free block)")
    parser.add_argument("--database-url", default=os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--profile", default="",
                        help="services to profile with py-spy during the caller phase, comma-separated")
    parser.add_argument("--run-dir", type=Path,
                        help="where logs, summaries and the report go (default var/loadtest/<time>)")
    parser.add_argument("--progress-seconds", type=float, default=15.0, help="print progress this often (0: never)")
    args = parser.parse_args(argv)
    short = args.short
    args.users = args.users or (50 if short else 1000)
    args.duration = args.duration or (30 if short else 300)
    args.think = args.think or ("0.5,1.5" if short else "prompt")
    try:
        ThinkTime.parse(args.think)  # a malformed value fails here, not in every Locust user
    except ValueError:
        parser.error(f"--think {args.think!r}: expected prompt, prompt:MIN,MAX or MIN,MAX")
    args.spawn_rate = args.spawn_rate or max(args.users / 20, 1)
    if args.clinics is None:
        args.clinics = 0 if short else 48
    if args.capacity_seconds is None:
        args.capacity_seconds = 5 if short else 20
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.run_dir = args.run_dir or ROOT / "var" / "loadtest" / stamp
    return args


def run_locust(*, host: str, users: int, spawn_rate: float, seconds: int, think: str, pause: str, mix: str,
               numbers: list[str], summary: Path, log: Path, progress_seconds: float = 0.0) -> dict:
    """Run the Locust scenario headless in its own process and return its JSON summary; Locust's HTML
    report goes beside the summary, and its progress lines are echoed while it runs."""
    env = {**os.environ, "LOADTEST_THINK": think, "LOADTEST_PAUSE": pause, "LOADTEST_MIX": mix,
           "LOADTEST_CLINIC_NUMBERS": ",".join(numbers), "LOADTEST_SUMMARY": str(summary), "PYTHONPATH": str(ROOT),
           "LOADTEST_PROGRESS_SECONDS": str(progress_seconds)}
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "tools" / "loadtest" / "locustfile.py"),
               "--headless", "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s",
               "--host", host, "--stop-timeout", "120", "--only-summary", "--loglevel", "WARNING",
               "--html", str(summary.with_suffix(".html"))]
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1)
        for line in process.stdout:
            output.write(line)
            if line.startswith("progress "):
                print(f"  {line.rstrip()}", flush=True)
        process.wait()
    if not summary.exists():
        raise RuntimeError(f"Locust wrote no summary; see {log}")
    return json.loads(summary.read_text())


def start_profilers(deployment: SplitDeployment, services: str, seconds: int) -> list[subprocess.Popen]:
    """py-spy over each named service's gunicorn (master and workers) for the caller phase."""
    return [start_profiler(deployment, service, seconds) for service in services.split(",") if service]


def start_profiler(deployment: SplitDeployment, service: str, seconds: int) -> subprocess.Popen:
    """py-spy over one service's gunicorn for `seconds`, as collapsed stacks."""
    output = deployment.run_dir / f"profile-{service}.txt"
    return subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record",
                             "--pid", str(deployment.processes[service].pid),
                             "--subprocesses", "--duration", str(seconds), "--rate", "50", "--format", "raw",
                             "--output", str(output), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=open(deployment.run_dir / f"py-spy-{service}.log", "wb"))


def profile_summary(path: Path, top: int = 15) -> list[str]:
    """The functions most often on the CPU (own time) and in the stack (total time) from collapsed stacks."""
    if not path.exists():
        return [f"(no profile written; see the py-spy log beside {path.name})"]
    own: Counter = Counter()
    total: Counter = Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    lines = [f"{samples} samples; own time:"]
    lines += [f"  {count / samples:6.1%}  {frame}" for frame, count in own.most_common(top)]
    lines += ["in the stack (project code):"]
    ours = [(frame, count) for frame, count in total.most_common() if "services/" in frame or "shared/" in frame]
    lines += [f"  {count / samples:6.1%}  {frame}" for frame, count in ours[:top]]
    return lines


def webhook_table(summary: dict) -> list[str]:
    """Per-endpoint latency rows, busiest first."""
    rows = [f"  {'endpoint':<28} {'requests':>9} {'failed':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    entries = sorted((item for item in summary["entries"] if item["method"] != "CALL"),
                     key=lambda item: -item["requests"])
    for item in entries:
        rows.append(f"  {item['name']:<28} {item['requests']:>9} {item['failures']:>7} {item['p50']:>8.0f} "
                    f"{item['p95']:>8.0f} {item['p99']:>8.0f} {item['max']:>8.0f}")
    whole = summary["webhook_ms"]
    rows.append(f"  {'all webhooks':<28} {summary['webhook_requests']:>9} {'':>7} {whole['p50']:>8.0f} "
                f"{whole['p95']:>8.0f} {whole['p99']:>8.0f} {whole['max']:>8.0f}")
    return rows


def call_table(summary: dict) -> tuple[list[str], int, int]:
    """Per-kind call rows (with the mean caller turns and words said, over all calls of the kind and over
    the booked ones that took the time first named), and the totals of calls completed and failed."""
    calls = [item for item in summary["entries"] if item["method"] == "CALL"]
    rows = [f"  {'call kind':<14} {'calls':>6} {'failed':>7} {'p50 s':>7} {'p95 s':>7} {'turns':>6} {'words':>6} "
            f"{'direct':>13}  outcomes",
            "  (turns and words: means per call, words the receptionist said; direct: turns/words of the booked"
            " calls whose first named time was free)"]
    direct = summary.get("direct", {})
    for item in sorted(calls, key=lambda item: -item["requests"]):
        name = item["name"]
        outcomes = ", ".join(f"{key.split(':', 1)[1]} {count}" for key, count in sorted(summary["outcomes"].items())
                             if key.startswith(name + ":"))
        count = max(item["requests"], 1)
        turns = summary.get("turns", {}).get(name, 0) / count
        words = summary.get("words", {}).get(name, 0) / count
        booked_direct = direct.get(f"{name}:calls", 0)
        typical = (f"{direct[f'{name}:turns'] / booked_direct:.1f}/{direct[f'{name}:words'] / booked_direct:.0f}"
                   f" ({booked_direct})" if booked_direct else "-")
        rows.append(f"  {name:<14} {item['requests']:>6} {item['failures']:>7} {item['p50'] / 1000:>7.1f} "
                    f"{item['p95'] / 1000:>7.1f} {turns:>6.1f} {words:>6.0f} {typical:>13}  {outcomes}")
    return rows, sum(item["requests"] for item in calls), sum(item["failures"] for item in calls)


def turns_per_second(summary: dict) -> float:
    """Webhook requests per second over the phase."""
    return summary["webhook_requests"] / summary["duration_seconds"] if summary["duration_seconds"] else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print the report; exit 1 on failed calls or double bookings."""
    args = parse_args(argv)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    command = "python -m tools.loadtest " + shlex.join(argv if argv is not None else sys.argv[1:])
    gunicorn = GunicornSettings(worker_class=args.worker_class, workers=args.workers, threads=args.threads)
    print(f"load test: {args.users} callers to {args.clinics + 2} clinics for {args.duration} s "
          f"(thinking: {ThinkTime.parse(args.think).describe()}), {gunicorn.describe()}")
    print(f"  database {args.database_url.rsplit('@', 1)[-1]}, redis {args.redis_url.rsplit('@', 1)[-1]}, "
          f"logs in {args.run_dir}", flush=True)
    prepare_database(args.database_url, args.run_dir / "data")
    numbers = add_clinic_copies(args.database_url, args.clinics)
    deployment = SplitDeployment(args.database_url, args.redis_url, args.run_dir, gunicorn, args.base_port,
                                 with_workers=True, internal_hops_via_router=False)
    deployment.flush_redis()
    load_before = os.getloadavg()
    started = time.monotonic()
    capacity: dict[str, float] = {}
    hops: dict[str, dict[str, float]] = {}
    try:
        deployment.start()
        print(f"  router {deployment.router_url}, services on ports {min(deployment.ports.values())}-"
              f"{max(deployment.ports.values())}, baseline {deployment.baseline_url}; up in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        profilers = start_profilers(deployment, args.profile, args.duration)
        print(f"  caller phase: {args.users} callers for {args.duration} s", flush=True)
        counts_before = deployment.request_counts()
        callers = run_locust(host=deployment.router_url, users=args.users, spawn_rate=args.spawn_rate,
                             seconds=args.duration, think=args.think, pause=args.pause, mix=args.mix,
                             numbers=numbers, summary=args.run_dir / "callers.json",
                             log=args.run_dir / "locust-callers.log",
                             progress_seconds=args.progress_seconds)
        hops["callers"] = hops_per_turn(counts_before, deployment.request_counts())
        plot_timeline(callers["timeline"], args.run_dir / "callers-timeline.png",
                      f"{args.users} callers, think {args.think}, {gunicorn.describe()}", p99_target_ms=P99_TARGET_MS)
        for profiler in profilers:
            profiler.wait(60)
        load_during = os.getloadavg()
        if args.capacity_seconds:
            capacity.update(measure_capacity(args, deployment, numbers, hops))
        still_waiting = wait_for_texts(args.database_url)
        if still_waiting:
            print(f"  {still_waiting} texts still waiting to be sent after 30 s: the messaging worker fell behind",
                  flush=True)
    finally:
        deployment.stop()
    counts = booking_counts(args.database_url)
    return report(args, command, gunicorn, callers, capacity, hops, counts, load_before, load_during)


def hops_per_turn(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Twilio turns and internal requests the services answered between two counts, and their ratio."""
    turns = after.get("twilio", 0) - before.get("twilio", 0)
    internal = after.get("internal", 0) - before.get("internal", 0)
    return {"turns": turns, "internal_requests": internal, "hops_per_turn": internal / turns if turns else 0.0}


def measure_capacity(args, deployment: SplitDeployment, numbers: list[str], hops: dict) -> dict[str, float]:
    """Turns per second without think time against the system, then the floor with the system's hops per
    turn in that phase, then the one-app baseline; same callers and gunicorn settings for all three."""
    capacity: dict[str, float] = {}

    def phase(name: str, host: str) -> None:
        print(f"  capacity phase against the {name}: {args.capacity_users} callers without think time "
              f"for {args.capacity_seconds} s", flush=True)
        summary = run_locust(host=host, users=args.capacity_users, spawn_rate=args.capacity_users,
                             seconds=args.capacity_seconds, think="0,0", pause="0,0", mix=args.mix,
                             numbers=numbers, summary=args.run_dir / f"capacity-{name}.json",
                             log=args.run_dir / f"locust-capacity-{name}.log")
        capacity[name] = turns_per_second(summary)
        capacity[f"{name}_p99_ms"] = summary["webhook_ms"]["p99"]
        capacity[f"{name}_failed_requests"] = sum(
            item["failures"] for item in summary["entries"] if item["method"] != "CALL")

    before = deployment.request_counts()
    phase("system", deployment.router_url)
    hops["capacity"] = hops_per_turn(before, deployment.request_counts())
    floor_hops = hops["capacity"]["hops_per_turn"]
    print(f"  the system made {floor_hops:.2f} internal hops per turn; starting the floor with as many", flush=True)
    phase("floor", deployment.start_floor(floor_hops))
    capacity["floor_hops_per_turn"] = floor_hops
    phase("baseline", deployment.baseline_url)
    return capacity


def report(args, command, gunicorn, callers, capacity, hops, counts, load_before, load_during) -> int:
    """Print the figures, save them as JSON, and return the exit status."""
    rows, completed, failed = call_table(callers)
    p99 = callers["webhook_ms"]["p99"]
    overlaps = counts.get("overlapping_pairs", 0)
    print()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {load_before[0]:.1f} before, {load_during[0]:.1f} after the caller phase "
          "(other processes share these CPUs; the load generator runs here too)")
    print(f"command: {command}")
    print(f"deployment: 8 services, {gunicorn.describe()}, asyncio path router in front (internal calls go "
          "straight to each service's port, as to Kubernetes Services), "
          "messaging worker (SMS_SEND_MODE=worker) and outbox dispatcher beside them, as in the cluster")
    print(f"\nwebhook turns as Twilio sees them ({args.users} callers, {callers['duration_seconds']:.0f} s, "
          f"{turns_per_second(callers):.1f} turns/s):")
    print("\n".join(webhook_table(callers)))
    print("\nwhole calls:")
    print("\n".join(rows))
    for example in callers["failure_examples"][:10]:
        print(f"  failed: {example}")
    for error in callers["errors"][:10]:
        print(f"  error x{error['count']}: {error['name']}: {error['error']}")
    print(f"\ndatabase: {dict((key, value) for key, value in counts.items())}")
    for phase_name, counted in hops.items():
        print(f"internal hops per turn ({phase_name} phase): {counted['hops_per_turn']:.2f} "
              f"({counted['internal_requests']:.0f} internal requests for {counted['turns']:.0f} Twilio turns, "
              "counted by the services' /metrics)")
    if capacity:
        floor_ratio = capacity["system"] / capacity["floor"] if capacity.get("floor") else 0.0
        bare_ratio = capacity["system"] / capacity["baseline"] if capacity.get("baseline") else 0.0
        print(f"\ncapacity ({args.capacity_users} callers, no think time, {args.capacity_seconds} s each, "
              "same gunicorn settings):")
        print(f"  system   {capacity['system']:8.1f} turns/s  (p99 {capacity['system_p99_ms']:.0f} ms, "
              f"{capacity['system_failed_requests']:.0f} failed requests)")
        print(f"  floor    {capacity['floor']:8.1f} turns/s  (bare Flask chain behind a router, "
              f"{capacity['floor_hops_per_turn']:.2f} internal hops per turn; p99 {capacity['floor_p99_ms']:.0f} ms)")
        print(f"  bare     {capacity['baseline']:8.1f} turns/s  (one minimal Flask app, fixed TwiML, no router; "
              f"p99 {capacity['baseline_p99_ms']:.0f} ms)")
        print(f"  system / floor {floor_ratio:6.3f}  (what the services do beyond splitting a turn across processes)")
        print(f"  system / bare  {bare_ratio:6.3f}  (the whole cost against one Flask app)")
        capacity["ratio_floor"] = floor_ratio
        capacity["ratio"] = bare_ratio
    checks = [
        (f"calls completed: {completed}, failed calls: {failed}", failed == 0 and completed > 0, True),
        (f"double bookings (overlapping booked pairs): {overlaps}", overlaps == 0, True),
        (f"webhook p99 {p99:.0f} ms < {P99_TARGET_MS:.0f} ms", p99 < P99_TARGET_MS, False),
    ]
    print("\ntargets:")
    for label, ok, enforced in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}{'' if enforced else '  (reported, not enforced)'}")
    for service in filter(None, args.profile.split(",")):
        print(f"\nprofile of {service} during the caller phase (py-spy):")
        print("\n".join(profile_summary(args.run_dir / f"profile-{service}.txt")))
    result = {"command": command, "users": args.users, "clinics": args.clinics + 2, "duration": args.duration,
              "think": args.think,
              "gunicorn": gunicorn.describe(), "calls_completed": completed, "failed_calls": failed,
              "webhook_ms": callers["webhook_ms"], "turns_per_second": turns_per_second(callers),
              "database": counts, "capacity": capacity, "hops": hops, "timeline": callers.get("timeline", []),
              "machine": platform.platform(), "cpus": os.cpu_count(),
              "load_average": [load_before[0], load_during[0]]}
    (args.run_dir / "report.json").write_text(json.dumps(result, indent=2))
    print(f"\nreport saved: {args.run_dir / 'report.json'}; Locust's HTML reports (callers.html, capacity-*.html) "
          f"and the plot (callers-timeline.png) beside it")
    return 0 if all(ok for _, ok, enforced in checks if enforced) else 1


if __name__ == "__main__":
    sys.exit(main())
