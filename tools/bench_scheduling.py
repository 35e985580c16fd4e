"""Benchmark of the free-slot arithmetic: a doctor's full 60-day horizon with hundreds of bookings,
the three nearest free slots to a requested time, and the no-slot check of one start time.

    python -m tools.bench_scheduling
"""

from __future__ import annotations

import os
import platform
import time
from datetime import UTC, datetime, timedelta

from services.calendly.scheduling import Schedule, free_slots, nearest, slot_problem

WEEKDAYS = [{"day": day, "start": "09:00", "end": "17:00"} for day in ("mon", "tue", "wed", "thu", "fri")]
NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def _per_call_ms(action, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - started) / repeat * 1000


def main() -> None:
    """Print milliseconds per operation and the machine."""
    schedule = Schedule("America/New_York", 30, WEEKDAYS, [{"date": "2026-12-25"}])
    every_slot = free_slots(schedule, [], NOW, NOW + timedelta(days=60), NOW)
    booked = [(slot.start, slot.end) for slot in every_slot[::3]]
    target = NOW + timedelta(days=10, hours=3)
    horizon = _per_call_ms(lambda: free_slots(schedule, booked, NOW, NOW + timedelta(days=60), NOW), 20)
    near = free_slots(schedule, booked, target - timedelta(days=14), target + timedelta(days=14), NOW)
    closest = _per_call_ms(lambda: nearest(
        free_slots(schedule, booked, target - timedelta(days=14), target + timedelta(days=14), NOW), target, 3), 50)
    check = _per_call_ms(lambda: slot_problem(schedule, every_slot[100].start, NOW), 2000)
    print(f"machine: {platform.platform()}, python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"free slots, 60-day horizon, {len(every_slot)} grid slots, {len(booked)} booked: {horizon:.2f} ms")
    print(f"three nearest free slots (28-day window, {len(near)} free): {closest:.2f} ms")
    print(f"slot_problem for one start time: {check:.3f} ms")


if __name__ == "__main__":
    main()
