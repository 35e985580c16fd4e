"""A small thread-safe TTL cache for per-clinic configuration and other slow-changing lookups.

When full it drops the least recently used entry, so a working set larger than the cache costs a
miss now and then instead of emptying everything at once. Hits, misses and evictions are counted per
cache name (`cache_hits_total`, `cache_misses_total`, `cache_evictions_total`, label `cache`) in the
process's Prometheus registry, which every service exposes at /metrics.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from prometheus_client import Counter

_MISSING = object()  # None is a value worth caching (e.g. "no clinic has this number")
DEFAULT_MAX_ITEMS = 4096

HITS = Counter("cache_hits_total", "Lookups answered from an in-process cache", ["cache"])
MISSES = Counter("cache_misses_total", "Lookups an in-process cache could not answer (absent or expired)", ["cache"])
EVICTIONS = Counter("cache_evictions_total", "Entries dropped because an in-process cache was full", ["cache"])


class TTLCache:
    """Keeps up to `max_items` values for `ttl_seconds` each, least recently used out first; a TTL of 0
    disables caching. `name` labels the cache's metrics (a fixed word, never data)."""

    def __init__(self, ttl_seconds: float, max_items: int = DEFAULT_MAX_ITEMS,
                 clock: Callable[[], float] = time.monotonic, *, name: str = "unnamed"):
        if max_items < 1:
            raise ValueError("a cache holds at least one item")
        self.ttl_seconds = ttl_seconds
        self.max_items = max_items
        self.clock = clock
        self.name = name
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits, self._misses, self._evictions = HITS.labels(name), MISSES.labels(name), EVICTIONS.labels(name)

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value for key, loading (outside the lock) and storing it when absent or stale."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = load()
        self.put(key, value)
        return value

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The cached value for key (now the most recently used), or `default` when absent or stale."""
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] <= self.clock():
                del self._items[key]
                item = None
            if item is not None:
                self._items.move_to_end(key)
        (self._hits if item is not None else self._misses).inc()
        return item[1] if item is not None else default

    def put(self, key: Hashable, value: Any, ttl_seconds: float | None = None) -> None:
        """Keep a value for `ttl_seconds` (the cache's own TTL when None; 0 or less keeps nothing)."""
        ttl = self.ttl_seconds if ttl_seconds is None else min(ttl_seconds, self.ttl_seconds)
        if ttl <= 0:
            return
        evicted = 0
        with self._lock:
            self._items[key] = (self.clock() + ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
                evicted += 1
        if evicted:
            self._evictions.inc(evicted)

    def __len__(self) -> int:
        """How many entries are held (stale ones included until they are looked up or pushed out)."""
        return len(self._items)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
