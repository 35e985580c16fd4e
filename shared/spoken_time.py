"""Times the way people say them, in the clinic's timezone ("tomorrow at 10 AM",
"Tuesday, December 1st at 3:30 PM"); used by prompts and by SMS texts."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def ordinal(day: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th, 23 -> 23rd."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def spoken_clock(moment: datetime) -> str:
    """10 AM, 3:30 PM, 12 PM."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def spoken_date(moment: datetime) -> str:
    """Tuesday, December 1st."""
    return f"{moment:%A}, {moment:%B} {ordinal(moment.day)}"


def spoken_datetime(moment: datetime, tz_name: str, now: datetime | None = None) -> str:
    """A moment in the clinic's timezone, relative to today where that is how people say it."""
    zone = ZoneInfo(tz_name)
    local = moment.astimezone(zone)
    today = (now or datetime.now(timezone.utc)).astimezone(zone).date()
    days_ahead = (local.date() - today).days
    if days_ahead == 0:
        day = "today"
    elif days_ahead == 1:
        day = "tomorrow"
    else:
        day = spoken_date(local)
    return f"{day} at {spoken_clock(local)}"
