"""Call-session stores: Redis (`session:<CallSid>`, 24 h TTL) and an embedded one for local mode.

Both implement the same small interface, and one contract test suite runs against both.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

SESSION_KEY_PREFIX = "session:"


class CallSessionStore(Protocol):
    """Where a call's conversation state lives between Twilio requests."""

    def load(self, call_sid: str) -> dict[str, Any] | None:
        """The session of a call, or None when there is none (or it expired)."""

    def save(self, call_sid: str, data: dict[str, Any]) -> None:
        """Store a session, restarting its time to live."""

    def delete(self, call_sid: str) -> None:
        """Forget a call's session."""

    def ping(self) -> None:
        """Raise unless the store is reachable."""


class RedisCallSessionStore:
    """Sessions as JSON strings in Redis with a TTL."""

    def __init__(self, client: redis.Redis, ttl_seconds: int = 86400):
        self.client = client
        self.ttl_seconds = ttl_seconds

    def load(self, call_sid: str) -> dict[str, Any] | None:
        """Read and decode a session."""
        raw = self.client.get(SESSION_KEY_PREFIX + call_sid)
        return json.loads(raw) if raw else None

    def save(self, call_sid: str, data: dict[str, Any]) -> None:
        """Encode and write a session with its TTL."""
        self.client.set(SESSION_KEY_PREFIX + call_sid, json.dumps(data), ex=self.ttl_seconds)

    def delete(self, call_sid: str) -> None:
        """Remove a session."""
        self.client.delete(SESSION_KEY_PREFIX + call_sid)

    def ping(self) -> None:
        """Raise if Redis does not answer."""
        self.client.ping()


class EmbeddedCallSessionStore:
    """Sessions in this process's memory, with the same TTL behaviour; for local mode."""

    def __init__(self, ttl_seconds: int = 86400, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._items: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def load(self, call_sid: str) -> dict[str, Any] | None:
        """Read a session unless it has expired."""
        with self._lock:
            item = self._items.get(call_sid)
            if item is None:
                return None
            expires, raw = item
            if self.clock() >= expires:
                del self._items[call_sid]
                return None
            return json.loads(raw)

    def save(self, call_sid: str, data: dict[str, Any]) -> None:
        """Store a JSON copy so callers cannot mutate what is stored."""
        with self._lock:
            self._items[call_sid] = (self.clock() + self.ttl_seconds, json.dumps(data))
            if len(self._items) > 10_000:
                self._evict_expired()

    def delete(self, call_sid: str) -> None:
        """Remove a session."""
        with self._lock:
            self._items.pop(call_sid, None)

    def ping(self) -> None:
        """Always reachable."""

    def _evict_expired(self) -> None:
        now = self.clock()
        for key in [key for key, (expires, _) in self._items.items() if expires <= now]:
            del self._items[key]


def make_redis(url: str) -> redis.Redis:
    """A Redis client with short timeouts, so a stalled Redis fails a request fast (it connects lazily)."""
    return redis.Redis.from_url(
        url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30, decode_responses=True
    )
