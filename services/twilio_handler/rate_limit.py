"""Limits on new calls to /voice that keep a clinic answering under a flood.

- Every caller has a limit, whatever `From` says: a number, "client:x", "" (each its own bucket, as
  given), except Twilio's withheld-number placeholders, which many genuine callers share; a caller ID
  that passed STIR/SHAKEN attestation (A or B) has a bucket of its own, so a spoofer using a patient's
  number cannot lock the patient out.
- Past the clinic's normal volume, only the suspicious share is refused: withheld numbers, caller IDs
  that failed attestation (or were not validated), and bursts from one number prefix. Attested callers
  go on; far past it (HARD_FACTOR times) only attested callers are taken.
- Twilio may retry one call's /voice; a few retries of a CallSid are answered, a replay beyond them
  is refused without counting anything else.
- Windows slide: the count is this window's plus the previous one's share of time still in view, so
  nobody gets twice the limit across a boundary.
- Counters live in Redis when REDIS_URL is set (shared by every replica), in memory otherwise; when
  Redis fails calls are let through (answering beats guarding).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis

from shared.dialogue.identity import attestation

log = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit:voice:"
# Twilio's stand-ins for a withheld caller ID, and the words some carriers send instead.
WITHHELD = frozenset({"anonymous", "restricted", "private", "unknown", "unavailable", "blocked",
                      "+266696687", "+86282452253", "+8656696687", "+7378742833", "+2562533"})
PREFIX_DIGITS = 8  # "+1617555": a number's country, area and exchange
HARD_FACTOR = 4
RETRIES_PER_CALL = 3


@dataclass(frozen=True)
class Caller:
    """What /voice knows of a new call's origin."""

    call_sid: str
    number: str  # `From` as given
    stir_verstat: str = ""

    @property
    def withheld(self) -> bool:
        """A withheld caller ID (Twilio's placeholder, or a word instead of a number)."""
        return self.number.strip().lower() in WITHHELD

    @property
    def attested(self) -> bool:
        """The carrier vouched for the number (STIR/SHAKEN A or B)."""
        return attestation(self.stir_verstat) in ("A", "B")

    @property
    def unattested(self) -> bool:
        """Twilio reports the caller ID failed, or could not be, validated."""
        return attestation(self.stir_verstat) in ("failed", "unvalidated")

    @property
    def bucket(self) -> str:
        """The caller's own counter: an attested number apart from the same number unattested."""
        return f"{self.number}|{'attested' if self.attested else 'any'}"

    @property
    def prefix(self) -> str | None:
        """The number's first digits, for spotting bursts from one range."""
        number = self.number.strip()
        return number[:PREFIX_DIGITS] if number.startswith("+") and number[1:].isdigit() else None


@dataclass(frozen=True)
class Limits:
    """How many new calls per window are normal."""

    per_caller: int
    per_clinic: int
    per_prefix: int
    window_seconds: int


class Counters(Protocol):
    """Sliding-window counters: add one to some names and read their counts."""

    def add(self, names: list[str], now: float) -> list[float]:
        """Count one event under each name; the sliding counts after it."""
        ...

    def first_sighting(self, call_sid: str, now: float) -> int:
        """How many times this CallSid has been seen, this one included."""
        ...


def sliding(previous: int, current: int, now: float, window: int) -> float:
    """This window's count plus the part of the previous one still inside a window's length."""
    elapsed = (now % window) / window
    return current + previous * (1 - elapsed)


class CallRateLimiter:
    """Decides whether a new call is taken: None, or why not ("caller", "clinic", "replay")."""

    def __init__(self, counters: Counters, limits: Limits, clock: Callable[[], float] = time.time):
        self.counters = counters
        self.limits = limits
        self.clock = clock

    def refuse(self, caller: Caller, clinic_id: int) -> str | None:
        """Count this call and say whether to refuse it."""
        now = self.clock()
        try:
            return self._decide(caller, clinic_id, now)
        except redis.RedisError as error:
            log.warning("rate limit not checked, Redis failed: %s", type(error).__name__)
            return None

    def _decide(self, caller: Caller, clinic_id: int, now: float) -> str | None:
        sightings = self.counters.first_sighting(caller.call_sid, now)
        if sightings > 1:
            return "replay" if sightings > 1 + RETRIES_PER_CALL else None
        limits = self.limits
        names = [f"clinic:{clinic_id}"]
        if not caller.withheld and limits.per_caller:
            names.append(f"caller:{clinic_id}:{caller.bucket}")
        if caller.prefix and limits.per_prefix:
            names.append(f"prefix:{clinic_id}:{caller.prefix}")
        counts = dict(zip(names, self.counters.add(names, now), strict=True))
        own = counts.get(f"caller:{clinic_id}:{caller.bucket}", 0)
        if limits.per_caller and own > limits.per_caller:
            return "caller"
        clinic = counts[f"clinic:{clinic_id}"]
        if not limits.per_clinic or clinic <= limits.per_clinic:
            return None
        if clinic > limits.per_clinic * HARD_FACTOR:
            return None if caller.attested else "clinic"
        bursting = limits.per_prefix and counts.get(f"prefix:{clinic_id}:{caller.prefix}", 0) > limits.per_prefix
        return "clinic" if caller.withheld or caller.unattested or bursting else None


class RedisCounters:
    """Counters in Redis, shared by every twilio_handler replica: one key per name and window."""

    def __init__(self, client: redis.Redis, window_seconds: int):
        self.client = client
        self.window = window_seconds

    def _keys(self, name: str, now: float) -> tuple[str, str]:
        index = int(now // self.window)
        return f"{KEY_PREFIX}{name}:{index - 1}", f"{KEY_PREFIX}{name}:{index}"

    def add(self, names: list[str], now: float) -> list[float]:
        """INCR this window's keys and read the previous ones, in one round trip."""
        pipeline = self.client.pipeline(transaction=False)
        for name in names:
            previous, current = self._keys(name, now)
            pipeline.get(previous)
            pipeline.incr(current)
            pipeline.expire(current, self.window * 2)
        answers = pipeline.execute()
        return [sliding(int(answers[3 * index] or 0), int(answers[3 * index + 1]), now, self.window)
                for index in range(len(names))]

    def first_sighting(self, call_sid: str, now: float) -> int:
        """INCR the CallSid's own counter (kept two windows)."""
        key = f"{KEY_PREFIX}seen:{call_sid}"
        pipeline = self.client.pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, self.window * 2)
        return int(pipeline.execute()[0])


class MemoryCounters:
    """The same counters in this process's memory, for local mode."""

    MAX_NAMES = 10_000

    def __init__(self, window_seconds: int):
        self.window = window_seconds
        self._counts: dict[tuple[str, int], int] = {}
        self._seen: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def add(self, names: list[str], now: float) -> list[float]:
        """Count and read."""
        index = int(now // self.window)
        with self._lock:
            self._forget_before(index)
            for name in names:
                self._counts[(name, index)] = self._counts.get((name, index), 0) + 1
            return [sliding(self._counts.get((name, index - 1), 0), self._counts[(name, index)], now, self.window)
                    for name in names]

    def first_sighting(self, call_sid: str, now: float) -> int:
        """Count the CallSid."""
        index = int(now // self.window)
        with self._lock:
            seen, _ = self._seen.get(call_sid, (0, index))
            self._seen[call_sid] = (seen + 1, index)
            return seen + 1

    def _forget_before(self, index: int) -> None:
        if len(self._counts) + len(self._seen) < self.MAX_NAMES:
            return
        self._counts = {key: count for key, count in self._counts.items() if key[1] >= index - 1}
        self._seen = {sid: entry for sid, entry in self._seen.items() if entry[1] >= index - 1}
