"""Per-caller and per-clinic limits on new calls to /voice (fixed windows), against floods and abuse:
counters in Redis when REDIS_URL is set, in process memory otherwise. A Twilio retry of the same
CallSid is not counted again, and when Redis is down calls are let through (answering beats guarding)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Protocol

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit:voice:"


class CallRateLimiter(Protocol):
    """Counts new calls and says whether one more is allowed."""

    def over_limit(self, call_sid: str, caller: str, clinic_id: int) -> str | None:
        """Count this call; 'caller' or 'clinic' when a limit is exceeded, else None."""


class _Limits:
    def __init__(self, per_caller: int, per_clinic: int, window_seconds: int, clock: Callable[[], float]):
        self.per_caller = per_caller
        self.per_clinic = per_clinic
        self.window_seconds = window_seconds
        self.clock = clock

    def window(self) -> int:
        return int(self.clock() // self.window_seconds)

    def buckets(self, caller: str, clinic_id: int) -> list[tuple[str, str, int]]:
        """(name, key, limit) of each limit that applies; an unknown caller ID has no caller bucket."""
        window = self.window()
        buckets = []
        if self.per_caller and caller.startswith("+") and caller[1:].isdigit():
            buckets.append(("caller", f"{KEY_PREFIX}caller:{caller}:{window}", self.per_caller))
        if self.per_clinic:
            buckets.append(("clinic", f"{KEY_PREFIX}clinic:{clinic_id}:{window}", self.per_clinic))
        return buckets


class RedisCallRateLimiter(_Limits):
    """Fixed-window counters in Redis, shared by every twilio_handler replica."""

    def __init__(self, client: redis.Redis, per_caller: int, per_clinic: int, window_seconds: int,
                 clock: Callable[[], float] = time.time):
        super().__init__(per_caller, per_clinic, window_seconds, clock)
        self.client = client

    def over_limit(self, call_sid: str, caller: str, clinic_id: int) -> str | None:
        """Count a new call in Redis; a repeated CallSid or a Redis failure is never refused."""
        buckets = self.buckets(caller, clinic_id)
        if not buckets:
            return None
        try:
            if not self.client.set(f"{KEY_PREFIX}seen:{call_sid}", 1, nx=True, ex=self.window_seconds * 2):
                return None
            pipeline = self.client.pipeline(transaction=False)
            for _, key, _ in buckets:
                pipeline.incr(key)
                pipeline.expire(key, self.window_seconds * 2)
            counts = pipeline.execute()[::2]
        except redis.RedisError as error:
            log.warning("rate limit not checked, Redis failed: %s", type(error).__name__)
            return None
        return next((name for (name, _, limit), count in zip(buckets, counts) if count > limit), None)


class EmbeddedCallRateLimiter(_Limits):
    """The same counters in this process's memory, for local mode."""

    def __init__(self, per_caller: int, per_clinic: int, window_seconds: int, clock: Callable[[], float] = time.time):
        super().__init__(per_caller, per_clinic, window_seconds, clock)
        self._counts: dict[str, int] = {}
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def over_limit(self, call_sid: str, caller: str, clinic_id: int) -> str | None:
        """Count a new call in memory; a repeated CallSid is never refused."""
        buckets = self.buckets(caller, clinic_id)
        window = self.window()
        with self._lock:
            if not buckets or call_sid in self._seen:
                return None
            self._forget_before(window)
            self._seen[call_sid] = window
            exceeded = None
            for name, key, limit in buckets:
                self._counts[key] = self._counts.get(key, 0) + 1
                if self._counts[key] > limit and exceeded is None:
                    exceeded = name
            return exceeded

    def _forget_before(self, window: int) -> None:
        if len(self._seen) < 10_000:
            return
        self._seen = {sid: seen for sid, seen in self._seen.items() if seen >= window - 1}
        self._counts = {key: count for key, count in self._counts.items() if key.endswith(f":{window}")}
