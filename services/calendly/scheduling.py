"""Free-slot arithmetic, pure and timezone-correct: weekly hours and exceptions in the clinic's
timezone, cut into the slot length, minus bookings, the past, the lead time and the horizon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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
    def from_doctor(cls, doctor: dict[str, Any]) -> "Schedule":
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


def _parse_clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _closed_dates(exceptions: Iterable[dict[str, Any]]) -> set[date]:
    closed: set[date] = set()
    for entry in exceptions:
        first = date.fromisoformat(entry.get("start_date") or entry["date"])
        last = date.fromisoformat(entry.get("end_date") or entry.get("date") or first.isoformat())
        day = first
        while day <= last:
            closed.add(day)
            day += timedelta(days=1)
    return closed


def _local_instant(day: date, clock: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time, or None when it does not exist (spring-forward gap)."""
    aware = clock.replace(tzinfo=zone)
    utc = aware.astimezone(timezone.utc)
    if utc.astimezone(zone).replace(tzinfo=None) != clock:
        return None
    return utc


def grid_slots(schedule: Schedule, start: datetime, end: datetime) -> Iterator[Slot]:
    """Every slot of the doctor's working hours that starts within [start, end), in order."""
    zone = ZoneInfo(schedule.timezone)
    step = timedelta(minutes=schedule.slot_minutes)
    closed = _closed_dates(schedule.exceptions)
    hours_by_day: dict[str, list[tuple[time, time]]] = {}
    for entry in schedule.weekly_hours:
        hours_by_day.setdefault(entry["day"], []).append((_parse_clock(entry["start"]), _parse_clock(entry["end"])))
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        if day not in closed:
            for opens, closes in sorted(hours_by_day.get(WEEKDAYS[day.weekday()], [])):
                clock = datetime.combine(day, opens)
                closing = datetime.combine(day, closes)
                while clock + step <= closing:
                    slot_start = _local_instant(day, clock, zone)
                    slot_end = _local_instant(day, clock + step, zone)
                    if slot_start and slot_end and start <= slot_start < end:
                        yield Slot(slot_start, slot_end)
                    clock += step
        day += timedelta(days=1)


def bookable_window(schedule: Schedule, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest instants a booking may start: now + lead time, now + horizon."""
    return now + timedelta(minutes=schedule.min_lead_minutes), now + timedelta(days=schedule.horizon_days)


def free_slots(
    schedule: Schedule,
    booked: Iterable[tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Slot]:
    """Slots in [start, end) within the bookable window that overlap no booking."""
    earliest, latest = bookable_window(schedule, now)
    busy = sorted(booked)
    return [
        slot
        for slot in grid_slots(schedule, max(start, earliest), min(end, latest))
        if not any(slot.overlaps(busy_start, busy_end) for busy_start, busy_end in busy)
    ]


def nearest(slots: Iterable[Slot], target: datetime, limit: int) -> list[Slot]:
    """The `limit` slots closest in time to target, returned in chronological order."""
    closest = sorted(slots, key=lambda slot: (abs(slot.start - target), slot.start))[:limit]
    return sorted(closest, key=lambda slot: slot.start)


def slot_problem(schedule: Schedule, start: datetime, now: datetime) -> str | None:
    """Why a start time cannot be booked (past, too soon, too far, outside hours, off grid), or None."""
    earliest, latest = bookable_window(schedule, now)
    if start <= now:
        return "that time is in the past"
    if start < earliest:
        return f"bookings need at least {schedule.min_lead_minutes} minutes' notice"
    if start > latest:
        return f"bookings are open only {schedule.horizon_days} days ahead"
    day_slots = list(grid_slots(schedule, start - timedelta(days=1), start + timedelta(days=1)))
    if any(slot.start == start for slot in day_slots):
        return None
    local = start.astimezone(ZoneInfo(schedule.timezone))
    in_hours = any(slot.start <= start < slot.end for slot in day_slots)
    if in_hours:
        return f"appointments start on the {schedule.slot_minutes}-minute grid"
    return f"the doctor does not work at {local:%A %H:%M}"
