"""Weekly hours and dated exceptions expanded into concrete intervals in the clinic's timezone.

Wall-clock rules are turned into instants day by day with zoneinfo, so an interval keeps its local
hours across a DST change (its UTC offset changes instead); a wall-clock time that does not exist
(spring-forward gap) moves forward by the gap, and an ambiguous one takes its first occurrence.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def closed_dates(exceptions: Iterable[dict[str, Any]]) -> set[date]:
    """Every date an exception list makes unavailable."""
    closed: set[date] = set()
    for entry in exceptions:
        first = date.fromisoformat(entry.get("start_date") or entry["date"])
        last = date.fromisoformat(entry.get("end_date") or entry.get("date") or first.isoformat())
        day = first
        while day <= last:
            closed.add(day)
            day += timedelta(days=1)
    return closed


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(timezone.utc)


def expand(weekly_hours: list[dict[str, str]], exceptions: list[dict[str, Any]], tz: str,
           first: date, last: date) -> list[dict[str, Any]]:
    """Concrete working intervals from `first` to `last` (inclusive, local dates), in order."""
    zone = ZoneInfo(tz)
    closed = closed_dates(exceptions)
    by_day: dict[str, list[tuple[time, time]]] = {}
    for rule in weekly_hours:
        by_day.setdefault(rule["day"], []).append((_clock(rule["start"]), _clock(rule["end"])))
    intervals: list[dict[str, Any]] = []
    day = first
    while day <= last:
        if day not in closed:
            for opens, closes in sorted(by_day.get(WEEKDAYS[day.weekday()], [])):
                start, end = _instant(day, opens, zone), _instant(day, closes, zone)
                if end <= start:
                    continue
                intervals.append({
                    "date": day.isoformat(),
                    "start": start.astimezone(zone).isoformat(),
                    "end": end.astimezone(zone).isoformat(),
                    "start_utc": start.isoformat(),
                    "end_utc": end.isoformat(),
                    "minutes": int((end - start).total_seconds() // 60),
                })
        day += timedelta(days=1)
    return intervals


def within_hours(weekly_hours: list[dict[str, str]], exceptions: list[dict[str, Any]], tz: str,
                 start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies inside one working interval of the doctor."""
    local_day = start.astimezone(ZoneInfo(tz)).date()
    for interval in expand(weekly_hours, exceptions, tz, local_day - timedelta(days=1), local_day):
        if datetime.fromisoformat(interval["start_utc"]) <= start and end <= datetime.fromisoformat(interval["end_utc"]):
            return True
    return False
