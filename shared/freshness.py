"""Caches of knowledge_base data (clinics, doctors and their hours) that follow a schedule change
within seconds instead of waiting out their TTL.

knowledge_base numbers every schedule change of a clinic (`GET /kb/schedule-versions?after=N` lists
the clinics whose version is newer than N, usually none). Each process asks at most once every
SCHEDULE_FRESHNESS_SECONDS, and only while it is using its caches; every cached value remembers the
version of its clinic when it was loaded, so a value older than its clinic's version is loaded again
and everything else stays cached. A lookup made before writing something that depends on the hours
(a booking) asks at once. When knowledge_base cannot answer, the caches keep serving what they hold
(as before, until their TTL).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from shared.cache import DEFAULT_MAX_ITEMS, TTLCache
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)

MISSING = object()  # what `fresh` answers for an entry to load again (None is a value worth caching)


class ScheduleVersions:
    """The schedule version of each clinic as knowledge_base last said, re-read at most every
    `check_seconds`; one per ServiceClient, shared by the caches built on it."""

    def __init__(self, client: ServiceClient, check_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.client = client
        self.check_seconds = check_seconds
        self.clock = clock
        self._versions: Mapping[str, int] = {}
        self._latest = 0
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def current(self, *, now_please: bool = False) -> Mapping[str, int]:
        """Clinic slug -> version; a new mapping after each change, never one changed in place.
        `now_please` asks knowledge_base whatever the interval (before writing something that depends
        on the hours, such as a booking)."""
        now = self.clock()
        due = now_please or self._checked_at is None or now - self._checked_at >= self.check_seconds
        if due and self._lock.acquire(blocking=now_please):  # one thread asks; the others use what is known
            try:
                self._checked_at = now
                self._refresh()
            finally:
                self._lock.release()
        return self._versions

    def _refresh(self) -> None:
        try:
            answer = self.client.get("knowledge_base", "/kb/schedule-versions", after=self._latest)
        except ServiceCallError as error:
            log.warning("schedule versions could not be checked; cached clinics are kept: %s", error.message)
            return
        if answer["clinics"]:
            self._versions = {**self._versions, **answer["clinics"]}
        self._latest = max(self._latest, answer["latest"])


_BY_CLIENT: weakref.WeakKeyDictionary[ServiceClient, ScheduleVersions] = weakref.WeakKeyDictionary()
_BY_CLIENT_LOCK = threading.Lock()


def schedule_versions(client: ServiceClient) -> ScheduleVersions:
    """The one ScheduleVersions of a client (its settings' SCHEDULE_FRESHNESS_SECONDS)."""
    with _BY_CLIENT_LOCK:
        if client not in _BY_CLIENT:
            _BY_CLIENT[client] = ScheduleVersions(client, client.settings.schedule_freshness_seconds)
        return _BY_CLIENT[client]


class FreshCache:
    """A TTLCache of knowledge_base answers whose entries also go stale as soon as their clinic's
    schedule version moves past the one they were loaded at; `clinic_of(key, value)` names the
    clinic (slug) an entry belongs to, or None for entries no schedule changes."""

    def __init__(self, client: ServiceClient, ttl_seconds: float,
                 clinic_of: Callable[[Hashable, Any], str | None], clock: Callable[[], float] = time.monotonic,
                 *, max_items: int = DEFAULT_MAX_ITEMS, name: str = "unnamed"):
        self.cache = TTLCache(ttl_seconds, max_items, clock=clock, name=name)
        self.versions = schedule_versions(client)
        self.clinic_of = clinic_of

    def versions_now(self, *, revalidate: bool = False) -> Mapping[str, int]:
        """The schedule versions to judge entries by; `revalidate` asks knowledge_base now rather than
        within the freshness interval (before writing something that depends on the hours)."""
        return self.versions.current(now_please=revalidate)

    def fresh(self, key: Hashable, versions: Mapping[str, int]) -> Any:
        """The cached value for key, or MISSING when absent, expired or older than its clinic's schedule."""
        found = self.cache.get(key, MISSING)
        if found is MISSING:
            return MISSING
        loaded_at, value = found
        clinic = self.clinic_of(key, value)
        return value if clinic is None or versions.get(clinic, 0) <= loaded_at else MISSING

    def keep(self, key: Hashable, value: Any, versions: Mapping[str, int]) -> None:
        """Cache a value loaded after `versions` was read (so it is at least that fresh)."""
        clinic = self.clinic_of(key, value)
        self.cache.put(key, (versions.get(clinic, 0) if clinic else 0, value))

    def get_or_load(self, key: Hashable, load: Callable[[], Any], *, revalidate: bool = False) -> Any:
        """The cached value for key unless stale by time or by version; else load (outside any lock) and
        keep it."""
        versions = self.versions_now(revalidate=revalidate)
        value = self.fresh(key, versions)
        if value is MISSING:
            value = load()
            self.keep(key, value, versions)
        return value

    def clear(self) -> None:
        """Forget everything."""
        self.cache.clear()
