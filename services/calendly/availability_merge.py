"""Free slots both calendars agree on: our local free slots, kept only where Calendly's
`GET /event_type_available_times` also offers that start. While Calendly fails (errors, rate limits,
circuit open) callers are offered the local slots alone, so a Calendly outage never silences the line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

from services.calendly.calendly_api import CalendlyClient, CalendlyError
from services.calendly.scheduling import Slot
from shared.cache import DEFAULT_MAX_ITEMS, TTLCache

log = logging.getLogger(__name__)

# The 2024 spec allows at most one week per request (DESIGN.md says 31 days); a week fits both.
MAX_WINDOW = timedelta(days=7)
# Calendly refuses a start_time in the past; ask from slightly ahead of now.
PAST_MARGIN = timedelta(minutes=1)


def weekly_windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut into week-long windows aligned on UTC midnights (stable cache keys)."""
    first = datetime.combine(start.astimezone(UTC).date(), time(0), tzinfo=UTC)
    windows = []
    while first < end:
        windows.append((first, first + MAX_WINDOW))
        first += MAX_WINDOW
    return windows


class CalendlyAvailability:
    """Calendly's available start times per event type, fetched a week at a time and cached briefly."""

    def __init__(self, calendly: CalendlyClient, cache_seconds: float = 30, max_items: int = DEFAULT_MAX_ITEMS):
        self.calendly = calendly
        self.cache = TTLCache(cache_seconds, max_items, name="calendly_available_times")

    def available_starts(self, event_type: str, start: datetime, end: datetime, now: datetime) -> set[datetime]:
        """Every start time Calendly offers in [start, end); raises CalendlyError when it cannot tell."""
        starts: set[datetime] = set()
        for window_start, window_end in weekly_windows(max(start, now), end):
            if window_end <= now:
                continue
            query_start = max(window_start, now + PAST_MARGIN)

            def load(query_start: datetime = query_start, window_end: datetime = window_end) -> frozenset[datetime]:
                times = self.calendly.available_times(event_type, query_start, window_end)
                return frozenset(item.start for item in times if item.status == "available")

            starts.update(self.cache.get_or_load((event_type, window_start), load))
        return {moment for moment in starts if start <= moment < end}


def agreed_slots(slots: list[Slot], *, doctor: dict[str, Any], availability: CalendlyAvailability | None,
                 now: datetime, limit: int | None = None) -> list[Slot]:
    """The local slots Calendly also offers (the first `limit` of them, asking Calendly only the weeks
    needed); the local slots unchanged when Calendly is not configured for the doctor or is failing."""
    event_type = doctor.get("calendly_event_type")
    if availability is None or not event_type or not slots:
        return slots[:limit] if limit else slots
    ordered = sorted(slots, key=lambda slot: slot.start)
    agreed: list[Slot] = []
    try:
        for window_start, window_end in weekly_windows(ordered[0].start, ordered[-1].start + timedelta(seconds=1)):
            in_window = [slot for slot in ordered if window_start <= slot.start < window_end]
            if not in_window:
                continue
            offered = availability.available_starts(event_type, window_start, window_end, now)
            agreed.extend(slot for slot in in_window if slot.start in offered)
            if limit and len(agreed) >= limit:
                return agreed[:limit]
    except CalendlyError as error:
        log.warning("Calendly availability unavailable (%s %s); offering local slots", error.status, error.title)
        return ordered[:limit] if limit else ordered
    return agreed
