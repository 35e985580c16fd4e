"""Time as an input: the clock port every part that asks "what time is it" is given.

Services get their clock from their app factory (`create_app(clock=...)`, default the system clock) and
read it through `now()` inside a request; tests hand every service one `FakeClock` and set it, so no
test passes or fails by the hour it runs.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

from flask import current_app, has_app_context

CLOCK_EXTENSION = "clock"


class Clock(Protocol):
    """Tells the current time, aware, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The machine's clock: the one place production code reads the wall clock."""

    def now(self) -> datetime:
        """The current instant from the operating system."""
        return datetime.now(UTC)


class FakeClock:
    """A clock tests set and move; thread-safe, since a test system serves requests from threads."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the test set."""
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to an instant."""
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        with self._lock:
            self._now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keyword arguments (minutes=5, days=1, ...)."""
        with self._lock:
            self._now += timedelta(**delta)


SYSTEM_CLOCK = SystemClock()


def app_clock() -> Clock:
    """The clock of the app serving this request (the system clock outside a request)."""
    if has_app_context():
        return current_app.extensions.get(CLOCK_EXTENSION, SYSTEM_CLOCK)
    return SYSTEM_CLOCK


def now() -> datetime:
    """The current instant by the serving app's clock."""
    return app_clock().now()
