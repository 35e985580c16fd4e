"""The tests' idea of "now" (TEST_NOW, else the machine's clock) and times derived from it: a weekday
a few days ahead, and how a caller says it. Subprocesses (split deployments, `make run`) read the
machine's clock, so tests driving them run under faketime rather than TEST_NOW (docs/testing.md)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")


def test_now() -> datetime:
    """The instant tests start their clocks at: TEST_NOW (ISO 8601 with an offset) when set, else now."""
    fixed = os.environ.get("TEST_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        if moment.tzinfo is None:
            raise ValueError("TEST_NOW needs an offset, e.g. 2026-11-27T06:30:00-05:00")
        return moment.astimezone(UTC)
    return datetime.now(UTC)


test_now.__test__ = False  # a helper, not a test


def today_in_new_york() -> date:
    """The tests' date in New York."""
    return test_now().astimezone(NEW_YORK).date()


def next_weekday_at(hour: int, weekday: int = 1, today: date | None = None) -> datetime:
    """The next given weekday (Mon=0) at least two days after `today` (default: today in New York), at
    an hour, in New York."""
    day = (today or today_in_new_york()) + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK)


def spoken_day(moment: datetime) -> str:
    """"December 1 at 10 am"."""
    return f"{moment:%B} {moment.day} at {moment.hour % 12 or 12} {'am' if moment.hour < 12 else 'pm'}"
