"""The one owner of "is this inside someone's hours": weekly wall-clock hours plus dated exceptions,
turned into real instants in a timezone. Doctors' working hours (slot computation, schedules) and a
clinic's opening hours (who answers the phone) are both read here, so they cannot disagree.

Rules, as clinics write them:
- weekly hours are `{"day": "mon", "start": "09:00", "end": "17:00"}`; several a day are allowed;
  an end of 00:00 means midnight at the end of that day;
- an exception `{"date": ...}` or `{"start_date": ..., "end_date": ...}` closes those days; with
  `"start"` and `"end"` it replaces that day's weekly hours with its own;
- wall-clock times are turned into instants day by day with zoneinfo, so hours keep their local
  times across DST changes (the UTC offset changes instead); a time skipped by spring-forward moves
  forward by the gap, an ambiguous one takes its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIDNIGHT = time(0)


@dataclass(frozen=True)
class Interval:
    """One stretch of hours on one local date, as real instants (UTC)."""

    day: date
    start: datetime
    end: datetime

    def contains(self, start: datetime, end: datetime | None = None) -> bool:
        """Whether [start, end) (or the instant `start`) lies inside this interval."""
        if end is None:
            return self.start <= start < self.end
        return self.start <= start and end <= self.end


def parse_clock(value: str) -> time:
    """"09:30" -> time(9, 30)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def exception_dates(entry: Mapping[str, Any]) -> Iterator[date]:
    """Every local date one exception covers (a single date or an inclusive range)."""
    first = date.fromisoformat(entry.get("start_date") or entry["date"])
    last = date.fromisoformat(entry.get("end_date") or entry.get("date") or first.isoformat())
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def closed_dates(exceptions: Iterable[Mapping[str, Any]]) -> set[date]:
    """The dates exceptions close entirely (those without hours of their own)."""
    return {day for entry in exceptions if not _special_hours(entry) for day in exception_dates(entry)}


def _special_hours(entry: Mapping[str, Any]) -> tuple[time, time] | None:
    if entry.get("start") and entry.get("end"):
        return parse_clock(entry["start"]), parse_clock(entry["end"])
    return None


def _hours_by_date(exceptions: Iterable[Mapping[str, Any]]) -> dict[date, list[tuple[time, time]]]:
    """Dated exceptions: a day with no hours is closed; a day with start/end has only those hours."""
    by_date: dict[date, list[tuple[time, time]]] = {}
    for entry in exceptions:
        special = _special_hours(entry)
        for day in exception_dates(entry):
            hours = by_date.setdefault(day, [])
            if special:
                hours.append(special)
    return by_date


def _weekly(weekly_hours: Iterable[Mapping[str, str]]) -> dict[str, list[tuple[time, time]]]:
    weekly: dict[str, list[tuple[time, time]]] = {}
    for rule in weekly_hours:
        weekly.setdefault(rule["day"], []).append((parse_clock(rule["start"]), parse_clock(rule["end"])))
    return weekly


def instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time (a skipped time maps to just after the gap)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def intervals(weekly_hours: Iterable[Mapping[str, str]], exceptions: Iterable[Mapping[str, Any]], tz: str,
              first: date, last: date) -> list[Interval]:
    """The concrete intervals from local date `first` to `last` (inclusive), in time order."""
    zone = ZoneInfo(tz)
    weekly = _weekly(weekly_hours)
    special = _hours_by_date(exceptions)
    found: list[Interval] = []
    day = first
    while day <= last:
        hours = special[day] if day in special else weekly.get(WEEKDAYS[day.weekday()], [])
        for opens, closes in sorted(hours):
            start = instant(day, opens, zone)
            end = instant(day + timedelta(days=1) if closes == MIDNIGHT else day, closes, zone)
            if end > start:
                found.append(Interval(day, start, end))
        day += timedelta(days=1)
    return found


def interval_at(weekly_hours: Iterable[Mapping[str, str]], exceptions: Iterable[Mapping[str, Any]], tz: str,
                start: datetime, end: datetime | None = None) -> Interval | None:
    """The interval holding [start, end) (or the instant `start`), or None when it falls outside hours."""
    local_day = start.astimezone(ZoneInfo(tz)).date()
    # An interval that ends at midnight or later belongs to the day before.
    for interval in intervals(weekly_hours, exceptions, tz, local_day - timedelta(days=1), local_day):
        if interval.contains(start, end):
            return interval
    return None


def is_within(weekly_hours: Iterable[Mapping[str, str]], exceptions: Iterable[Mapping[str, Any]], tz: str,
              start: datetime, end: datetime | None = None) -> bool:
    """Whether [start, end) (or the instant `start`) lies inside one interval of the hours."""
    return interval_at(weekly_hours, exceptions, tz, start, end) is not None


def next_opening(weekly_hours: Iterable[Mapping[str, str]], exceptions: Iterable[Mapping[str, Any]], tz: str,
                 moment: datetime, days_ahead: int = 14) -> datetime | None:
    """The start of the first interval after `moment` within `days_ahead` days, or None."""
    weekly, special = list(weekly_hours), list(exceptions)
    local_day = moment.astimezone(ZoneInfo(tz)).date()
    for interval in intervals(weekly, special, tz, local_day, local_day + timedelta(days=days_ahead)):
        if interval.start > moment:
            return interval.start
    return None
