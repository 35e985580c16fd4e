"""The audio cache: keyed hashes of what decides a recording, object keys under tts/, the index that
answers a hit without touching S3, and the URL Twilio fetches.

Keys are HMAC-SHA256 with a server secret, so neither the store nor Redis ever shows a prompt's text
(which may hold patient details) and nobody can guess the key of a text they did not hear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

STATIC_PREFIX = "tts/static/"
DYNAMIC_PREFIX = "tts/dynamic/"
AUDIO_CONTENT_TYPE = "audio/wav"
# A key names one immutable recording, so caches anywhere may keep it for a year.
AUDIO_CACHE_CONTROL = "public, max-age=31536000, immutable"
KEY_PATTERN = re.compile(r"^[0-9a-f]{64}$")
_INDEX = "tts:index:"
_URL = "tts:url:"
_LOCK = "tts:lock:"
_BACKOFF = "tts:backoff"


def cache_key(secret: str, *, text: str, voice_id: str, model_id: str, settings: dict, output_format: str,
              language: str | None) -> str:
    """The keyed hash naming one recording: text, voice, model, settings, format (and language)."""
    material = json.dumps(
        {"text": text, "voice": voice_id, "model": model_id, "settings": settings, "format": output_format,
         "language": language},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hmac.new(secret.encode(), material.encode(), hashlib.sha256).hexdigest()


def object_key(key: str, *, static: bool) -> str:
    """Where a recording is stored: tts/static/ is kept, tts/dynamic/ expires after 7 days (Terraform)."""
    return f"{STATIC_PREFIX if static else DYNAMIC_PREFIX}{key}.wav"


def candidate_object_keys(key: str) -> list[str]:
    """Both places a recording with this key may be stored."""
    return [object_key(key, static=True), object_key(key, static=False)]


class SynthesisLock(Protocol):
    """A lock held while one recording is synthesised."""

    def acquire(self) -> bool:
        """Take the lock without waiting; False when someone else holds it."""

    def release(self) -> None:
        """Give the lock back (harmless when it already expired)."""


class AudioIndex(Protocol):
    """Which recordings exist (cache key -> object key), plus the shared locks and back-off."""

    def get(self, key: str) -> str | None:
        """The object key of a stored recording, or None."""

    def put(self, key: str, stored_at: str, ttl_seconds: int | None) -> None:
        """Remember a stored recording."""

    def get_url(self, key: str) -> str | None:
        """A URL already handed out for this recording (kept stable), or None."""

    def put_url(self, key: str, url: str, ttl_seconds: int) -> None:
        """Keep a URL so every pod hands out the same one."""

    def lock(self, key: str, ttl_seconds: float) -> SynthesisLock:
        """The lock that lets one synthesis of a key run at a time."""

    def backing_off(self) -> bool:
        """True while ElevenLabs asked us (429) to slow down."""

    def back_off(self, seconds: float) -> None:
        """Stop sending requests to ElevenLabs for a while."""


class _RedisLock:
    def __init__(self, lock: redis.lock.Lock):
        self._lock = lock

    def acquire(self) -> bool:
        return bool(self._lock.acquire(blocking=False))

    def release(self) -> None:
        try:
            self._lock.release()
        except redis.exceptions.LockError:
            pass  # it expired and may belong to another pod now: not ours to delete


class RedisAudioIndex:
    """The index in Redis, shared by every pod: one GET answers a hit."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def get(self, key: str) -> str | None:
        """The object key of a stored recording, or None."""
        return self.client.get(_INDEX + key)

    def put(self, key: str, stored_at: str, ttl_seconds: int | None) -> None:
        """Remember a stored recording, with a lifetime for those S3 will expire."""
        self.client.set(_INDEX + key, stored_at, ex=ttl_seconds)

    def get_url(self, key: str) -> str | None:
        """A URL already handed out for this recording."""
        return self.client.get(_URL + key)

    def put_url(self, key: str, url: str, ttl_seconds: int) -> None:
        """Keep a URL for a while."""
        self.client.set(_URL + key, url, ex=ttl_seconds)

    def lock(self, key: str, ttl_seconds: float) -> SynthesisLock:
        """A Redis lock (token-checked release) across pods."""
        return _RedisLock(self.client.lock(_LOCK + key, timeout=ttl_seconds, blocking=False))

    def backing_off(self) -> bool:
        """Whether any pod got a 429 recently."""
        return bool(self.client.exists(_BACKOFF))

    def back_off(self, seconds: float) -> None:
        """Make every pod pause ElevenLabs requests."""
        self.client.set(_BACKOFF, "1", px=max(1, int(seconds * 1000)))


class _MemoryLock:
    def __init__(self, index: MemoryAudioIndex, key: str, ttl_seconds: float):
        self.index, self.key, self.ttl_seconds = index, key, ttl_seconds

    def acquire(self) -> bool:
        with self.index.mutex:
            now = self.index.clock()
            if self.index.locks.get(self.key, 0) > now:
                return False
            self.index.locks[self.key] = now + self.ttl_seconds
            return True

    def release(self) -> None:
        with self.index.mutex:
            self.index.locks.pop(self.key, None)


class MemoryAudioIndex:
    """The index in this process, for local mode without Redis."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.mutex = threading.Lock()
        self.items: dict[str, tuple[str, float | None]] = {}
        self.locks: dict[str, float] = {}
        self.backoff_until = 0.0

    def _read(self, name: str) -> str | None:
        with self.mutex:
            item = self.items.get(name)
        if item is None or (item[1] is not None and item[1] <= self.clock()):
            return None
        return item[0]

    def _write(self, name: str, value: str, ttl_seconds: float | None) -> None:
        with self.mutex:
            self.items[name] = (value, None if ttl_seconds is None else self.clock() + ttl_seconds)

    def get(self, key: str) -> str | None:
        """The object key of a stored recording, or None."""
        return self._read(_INDEX + key)

    def put(self, key: str, stored_at: str, ttl_seconds: int | None) -> None:
        """Remember a stored recording."""
        self._write(_INDEX + key, stored_at, ttl_seconds)

    def get_url(self, key: str) -> str | None:
        """A URL already handed out for this recording."""
        return self._read(_URL + key)

    def put_url(self, key: str, url: str, ttl_seconds: int) -> None:
        """Keep a URL for a while."""
        self._write(_URL + key, url, ttl_seconds)

    def lock(self, key: str, ttl_seconds: float) -> SynthesisLock:
        """An in-process lock with an expiry."""
        return _MemoryLock(self, key, ttl_seconds)

    def backing_off(self) -> bool:
        """Whether a 429 came recently."""
        return self.backoff_until > self.clock()

    def back_off(self, seconds: float) -> None:
        """Pause ElevenLabs requests."""
        self.backoff_until = self.clock() + seconds


class AudioUrls:
    """The URL Twilio fetches: CloudFront, a stable presigned S3 URL, or the tts route in local mode."""

    def __init__(self, settings, store, index: AudioIndex):
        self.audio_base_url = (settings.audio_base_url or "").rstrip("/")
        self.public_base_url = (settings.public_base_url or "").rstrip("/")
        self.presign_seconds = settings.tts_presign_seconds
        self.store = store
        self.index = index

    def url(self, key: str, stored_at: str) -> str:
        """The URL of a stored recording."""
        if self.audio_base_url:
            return f"{self.audio_base_url}/{stored_at}"
        if hasattr(self.store, "presigned_url"):
            return self._stable_presigned(key, stored_at)
        # Relative when no public base URL is set: Twilio resolves it against the webhook's URL.
        return f"{self.public_base_url}/tts/audio/{key}.wav"

    def reuse_seconds(self) -> float | None:
        """How long a URL from `url` may be handed out again without asking (None: as long as the object lives)."""
        if self.audio_base_url or not hasattr(self.store, "presigned_url"):
            return None
        # An index entry is up to half a URL's life old, so a quarter leaves a quarter of margin.
        return self.presign_seconds // 4

    def _stable_presigned(self, key: str, stored_at: str) -> str:
        # Every pod hands out the same URL for half its life, so Twilio's own cache keeps hitting.
        url = self.index.get_url(key)
        if url is None:
            url = self.store.presigned_url(stored_at, self.presign_seconds)
            self.index.put_url(key, url, self.presign_seconds // 2)
        return url
