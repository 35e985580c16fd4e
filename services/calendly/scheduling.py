"""Free-slot arithmetic, pure and timezone-correct: weekly hours and exceptions in the clinic's
timezone, cut into the slot length, minus bookings, the past, the lead time and the horizon."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared import working_hours


@dataclass(frozen=True)
class Schedule:
    """What slot computation needs to know about one doctor at one clinic."""

    timezone: str
    slot_minutes: int
    weekly_hours: list[dict[str, str]]
    exceptions: list[dict[str, Any]]
    min_lead_minutes: int = 120
    horizon_days: int = 60

    @classmethod
    def from_doctor(cls, doctor: dict[str, Any]) -> Schedule:
        """Build from knowledge_base's doctor JSON (with its clinic)."""
        clinic = doctor["clinic"]
        return cls(
            timezone=clinic["timezone"],
            slot_minutes=clinic["slot_minutes"],
            weekly_hours=doctor["weekly_hours"],
            exceptions=doctor.get("exceptions") or [],
            min_lead_minutes=clinic.get("min_lead_minutes", 120),
            horizon_days=clinic.get("horizon_days", 60),
        )


@dataclass(frozen=True)
class Slot:
    """A bookable interval in UTC."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when [start, end) intersects this slot."""
        return self.start < end and start < self.end


def grid_slots(schedule: Schedule, start: datetime, end: datetime) -> Iterator[Slot]:
    """Every slot of the doctor's working hours that starts within [start, end), in order.

    Each working period is turned into real instants first and cut into slots of real duration, so on
    a DST change day the shifted hour neither loses nor doubles a slot: the slots are what the clock
    on the wall really covers that day.
    """
    step = timedelta(minutes=schedule.slot_minutes)
    tz = schedule.timezone
    first, last = start.astimezone(ZoneInfo(tz)).date(), end.astimezone(ZoneInfo(tz)).date()
    for interval in working_hours.intervals(schedule.weekly_hours, schedule.exceptions, tz, first, last):
        slot_start = interval.start
        while slot_start + step <= interval.end:
            if start <= slot_start < end:
                yield Slot(slot_start, slot_start + step)
            slot_start += step


def bookable_window(schedule: Schedule, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest instants a booking may start: now + lead time, now + horizon."""
    return now + timedelta(minutes=schedule.min_lead_minutes), now + timedelta(days=schedule.horizon_days)


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def free_slots(
    schedule: Schedule,
    booked: Iterable[tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Slot]:
    """Slots in [start, end) within the bookable window that overlap no booking."""
    earliest, latest = bookable_window(schedule, now)
    busy = _merged(booked)
    free: list[Slot] = []
    index = 0
    # slots in time order against disjoint sorted busy intervals: one sweep suffices
    for slot in sorted(set(grid_slots(schedule, max(start, earliest), min(end, latest))), key=lambda s: s.start):
        while index < len(busy) and busy[index][1] <= slot.start:
            index += 1
        if index == len(busy) or not slot.overlaps(*busy[index]):
            free.append(slot)
    return free


def nearest(slots: Iterable[Slot], target: datetime, limit: int) -> list[Slot]:
    """The `limit` slots closest in time to target, returned in chronological order."""
    closest = sorted(slots, key=lambda slot: (abs(slot.start - target), slot.start))[:limit]
    return sorted(closest, key=lambda slot: slot.start)


@dataclass(frozen=True)
class SlotProblem:
    """Why a start time cannot be booked: a stable code for callers to act on, and a sentence."""

    code: str  # past | too_soon | beyond_horizon | day_off | off_grid
    message: str


def slot_problem(schedule: Schedule, start: datetime, now: datetime) -> SlotProblem | None:
    """Why a start time cannot be booked (past, too soon, too far, outside hours, off grid), or None."""
    earliest, latest = bookable_window(schedule, now)
    if start <= now:
        return SlotProblem("past", "that time is in the past")
    if start < earliest:
        return SlotProblem("too_soon", f"bookings need at least {schedule.min_lead_minutes} minutes' notice")
    if start >= latest:
        return SlotProblem("beyond_horizon", f"bookings are open only {schedule.horizon_days} days ahead")
    day_slots = list(grid_slots(schedule, start - timedelta(days=1), start + timedelta(days=1)))
    if any(slot.start == start for slot in day_slots):
        return None
    local = start.astimezone(ZoneInfo(schedule.timezone))
    if any(slot.start <= start < slot.end for slot in day_slots):
        return SlotProblem("off_grid", f"appointments start on the {schedule.slot_minutes}-minute grid")
    return SlotProblem("day_off", f"the doctor does not work at {local:%A %H:%M}")
