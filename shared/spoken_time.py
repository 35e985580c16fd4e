"""Times the way people say them, in the clinic's timezone ("tomorrow at 10 AM",
"Tuesday, December 1st at 3:30 PM"); used by prompts and by SMS texts."""

from __future__ import annotations

from datetime import datetime
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


def spoken_datetime(moment: datetime, tz_name: str, now: datetime) -> str:
    """A moment in the clinic's timezone, relative to today where that is how people say it."""
    return f"{spoken_day(moment, tz_name, now)} at {spoken_clock(moment.astimezone(ZoneInfo(tz_name)))}"


def spoken_day(moment: datetime, tz_name: str, now: datetime) -> str:
    """The local date of a moment as people say it: "today", "tomorrow", "Tuesday, December 1st"."""
    zone = ZoneInfo(tz_name)
    local = moment.astimezone(zone)
    days_ahead = (local.date() - now.astimezone(zone).date()).days
    return {0: "today", 1: "tomorrow"}.get(days_ahead) or spoken_date(local)
