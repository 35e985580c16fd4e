"""`make bench`: runs every benchmark module and prints its figures with the machine they ran on."""

from __future__ import annotations

import importlib
import os
import platform
import sys

BENCHMARKS = (
    "tools.bench_call",
    "tools.bench_scheduling",
    "tools.bench_nlu",
    "tools.bench_kb",
    "tools.bench_tts",
    "tools.bench_messaging",
    "tools.bench_calendly",
    "tools.bench_console",
)


def machine() -> str:
    """A one-line description of this machine."""
    return f"{platform.node()} | {platform.platform()} | {os.cpu_count()} cpus | Python {platform.python_version()}"


def main() -> int:
    """Run each benchmark in turn."""
    print(f"machine: {machine()}")
    for name in BENCHMARKS:
        print(f"\n== {name} ==")
        sys.stdout.flush()
        importlib.import_module(name).main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
