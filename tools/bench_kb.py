"""Benchmark: schedule PDF extraction throughput (pages per second) and peak memory, on generated
200-page and 50-page schedules (memory should stay flat as the page count grows)."""

from __future__ import annotations

import gc
import os
import platform
import time
import tracemalloc
from datetime import date

from services.knowledge_base.pdf_schedule import extract_schedule
from tools.make_sample_schedules import long_schedule

TARGET_SECONDS_FOR_200_PAGES = 5.0


def measure(pages: int) -> dict[str, float]:
    """Extract a generated `pages`-page schedule once; seconds, pages/s, peak MiB beyond the file."""
    pdf = long_schedule(pages)
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    result = extract_schedule(pdf, max_pages=1000, today=date(2026, 11, 22))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The timing above ran under tracemalloc; time a second run without it (wall and CPU, since the
    # machine may be shared).
    started, cpu_started = time.perf_counter(), time.process_time()
    extract_schedule(pdf, max_pages=1000, today=date(2026, 11, 22))
    clean, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"pages": result.page_count, "doctors": len(result.schedule.doctors), "seconds": clean,
            "cpu_seconds": cpu, "pages_per_second": result.page_count / clean, "traced_seconds": elapsed,
            "peak_mib": peak / 2**20, "file_mib": len(pdf) / 2**20}


def main() -> None:
    """Print the figures and the machine they were measured on."""
    print(f"machine: {platform.platform()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} CPUs · Python {platform.python_version()}")
    small, large = measure(50), measure(200)
    for figures in (small, large):
        print(f"knowledge_base PDF extraction: {figures['pages']} pages, {figures['doctors']} doctors in "
              f"{figures['seconds']:.2f} s wall ({figures['cpu_seconds']:.2f} s CPU) = "
              f"{figures['pages_per_second']:.0f} pages/s; peak traced memory "
              f"{figures['peak_mib']:.1f} MiB (file {figures['file_mib']:.2f} MiB)")
    verdict = "meets" if large["seconds"] < TARGET_SECONDS_FOR_200_PAGES else "MISSES"
    print(f"200 pages in {large['seconds']:.2f} s {verdict} the {TARGET_SECONDS_FOR_200_PAGES:.0f} s target; "
          f"peak memory 200 vs 50 pages: {large['peak_mib'] / small['peak_mib']:.2f}x")


if __name__ == "__main__":
    main()
