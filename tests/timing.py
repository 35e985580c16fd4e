"""Times for tests that run on the real date (split deployments, `make run` in a subprocess, and
tests on the frozen-at-start default clock): a weekday a few days ahead, and how a caller says it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")


def next_weekday_at(hour: int, weekday: int = 1, today: date | None = None) -> datetime:
    """The next given weekday (Mon=0) at least two days after `today` (default: today in New York), at
    an hour, in New York."""
    day = (today or datetime.now(NEW_YORK).date()) + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK)


def spoken_day(moment: datetime) -> str:
    """"December 1 at 10 am"."""
    return f"{moment:%B} {moment.day} at {moment.hour % 12 or 12} {'am' if moment.hour < 12 else 'pm'}"
