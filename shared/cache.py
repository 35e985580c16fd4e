"""A small thread-safe TTL cache for per-clinic configuration and other slow-changing lookups."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable


_MISSING = object()  # None is a value worth caching (e.g. "no clinic has this number")


class TTLCache:
    """Keeps values for `ttl_seconds`; a TTL of 0 disables caching."""

    def __init__(self, ttl_seconds: float, max_items: int = 4096, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self.max_items = max_items
        self.clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value for key, loading (outside the lock) and storing it when absent or stale."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = load()
        self.put(key, value)
        return value

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The cached value for key, or `default` when absent or stale."""
        with self._lock:
            item = self._items.get(key)
        return item[1] if item is not None and item[0] > self.clock() else default

    def put(self, key: Hashable, value: Any, ttl_seconds: float | None = None) -> None:
        """Keep a value for `ttl_seconds` (the cache's own TTL when None; 0 or less keeps nothing)."""
        ttl = self.ttl_seconds if ttl_seconds is None else min(ttl_seconds, self.ttl_seconds)
        if ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[key] = (self.clock() + ttl, value)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
