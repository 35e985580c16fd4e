"""A doctor's weekly hours and dated exceptions as concrete intervals in the clinic's timezone, in the
JSON knowledge_base answers with; the rules themselves (DST, exceptions with hours, midnight) live in
shared/working_hours.py, the one owner of "inside hours"."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from shared import working_hours


def expand(weekly_hours: list[dict[str, str]], exceptions: list[dict[str, Any]], tz: str,
           first: date, last: date) -> list[dict[str, Any]]:
    """Concrete working intervals from `first` to `last` (inclusive, local dates), in order."""
    zone = ZoneInfo(tz)
    return [
        {
            "date": interval.day.isoformat(),
            "start": interval.start.astimezone(zone).isoformat(),
            "end": interval.end.astimezone(zone).isoformat(),
            "start_utc": interval.start.isoformat(),
            "end_utc": interval.end.isoformat(),
            "minutes": int((interval.end - interval.start).total_seconds() // 60),
        }
        for interval in working_hours.intervals(weekly_hours, exceptions, tz, first, last)
    ]
