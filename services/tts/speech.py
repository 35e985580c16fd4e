"""The answer to "how does this prompt sound in this clinic's voice": a cached URL at once, a fresh
recording within the live deadline, or None so the caller hears <Say> without waiting.

One synthesis per key at a time: misses for the same key in this pod share one future, and pods
share a Redis lock (a pod that loses the lock waits for the winner's index entry). A per-pod
semaphore bounds the requests in flight to ElevenLabs; 429 pauses every pod, and timeouts, 5xx and
transport errors feed a circuit breaker. Work outlives a caller's deadline, so the next caller hits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import redis
from prometheus_client import Counter

from services.tts.audio_cache import (
    AUDIO_CACHE_CONTROL,
    AUDIO_CONTENT_TYPE,
    AudioIndex,
    AudioUrls,
    cache_key,
    object_key,
)
from services.tts.prompts import static_prompts
from services.tts.synthesis import CircuitBreaker, ElevenLabsSynthesizer, SynthesisFailed
from services.tts.voices import ClinicVoice, ClinicVoices

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
CACHE_LOOKUPS = Counter("receptionist_tts_cache_lookups_total",
                        "Prompts looked up in the audio cache for a clinic with a voice, by result (hit or miss)",
                        ["result"])
WAIT_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class SpeechAnswer:
    """A prompt's audio URL (None: use <Say>) and for how many seconds the asker may reuse it."""

    url: str | None
    cache_seconds: float


class SpeechService:
    """Prompt -> audio URL or None, for every clinic, with the audio cache in front of ElevenLabs."""

    def __init__(self, *, settings, voices: ClinicVoices, index: AudioIndex, store, urls: AudioUrls,
                 synthesizer: ElevenLabsSynthesizer | None, clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.voices = voices
        self.index = index
        self.store = store
        self.urls = urls
        self.synthesizer = synthesizer
        self.clock = clock
        self.secret = settings.tts_cache_secret.get_secret_value()
        self.breaker = CircuitBreaker(settings.tts_breaker_failures, settings.tts_breaker_open_seconds, clock)
        self.vendor_slots = threading.BoundedSemaphore(settings.tts_max_concurrent_requests)
        self.executor = ThreadPoolExecutor(max_workers=settings.tts_max_concurrent_requests + 8,
                                           thread_name_prefix="tts-synthesis")
        self._inflight: dict[str, Future] = {}
        self._inflight_lock = threading.Lock()
        self._backoff_seconds = settings.tts_backoff_seconds

    @property
    def enabled(self) -> bool:
        """False without ElevenLabs: every prompt is then spoken with <Say>."""
        return self.synthesizer is not None

    def key_for(self, voice: ClinicVoice, text: str, language: str | None) -> str:
        """The cache key of one prompt in one clinic's voice."""
        return cache_key(
            self.secret, text=text, voice_id=voice.voice_id, model_id=voice.model_id,
            settings=voice.settings.model_dump(exclude_none=True), output_format=self.settings.tts_output_format,
            language=voice.language_code(language),
        )

    def audio_url(self, *, clinic: str, text: str, language: str | None = None, patient_data: bool = False,
                  prefetch: bool = False, deadline_seconds: float | None = None) -> str | None:
        """The URL to <Play>, or None for <Say>; see `answer`."""
        return self.answer(clinic=clinic, text=text, language=language, patient_data=patient_data,
                           prefetch=prefetch, deadline_seconds=deadline_seconds).url

    def answer(self, *, clinic: str, text: str, language: str | None = None, patient_data: bool = False,
               prefetch: bool = False, deadline_seconds: float | None = None) -> SpeechAnswer:
        """The URL to <Play> (None for <Say>) and how long the asker may reuse that answer; never waits
        longer than the live deadline, nor than what is left of the caller's turn (`deadline_seconds`).

        With `prefetch` a miss starts synthesis and returns at once, so a prompt the caller will hear
        in a moment is ready by then. Only answers that cannot change soon are reusable: "this clinic
        has no voice (for this kind of prompt)" and the stored recording of a static prompt.
        """
        started = self.clock()
        wait = self.settings.tts_deadline_seconds if deadline_seconds is None else min(
            self.settings.tts_deadline_seconds, deadline_seconds)
        settled = float(self.settings.clinic_cache_ttl_seconds)
        if not self.enabled:
            return SpeechAnswer(None, settled)
        voice = self.voices.voice(clinic)
        if voice is None or (patient_data and not voice.allow_patient_data):
            return SpeechAnswer(None, settled)
        key = self.key_for(voice, text, language)
        static = not patient_data and text in static_prompts(voice.clinic, self.voices.doctors(clinic))
        try:
            stored_at = self.index.get(key)
            CACHE_LOOKUPS.labels("hit" if stored_at else "miss").inc()
            if not stored_at:
                if not self._vendor_open():
                    return SpeechAnswer(None, 0)
                future = self._render_once(key, voice, text, language, static)
                remaining = 0.0 if prefetch else wait - (self.clock() - started)
                stored_at = future.result(timeout=max(remaining, 0))
            return SpeechAnswer(self.urls.url(key, stored_at), self._reuse_seconds(static, settled))
        except FutureTimeout:
            log.info("tts miss not ready within the deadline; <Say> this time")
        except SynthesisFailed as error:
            log.info("tts synthesis unavailable (%s); <Say>", error.kind)
        except redis.RedisError as error:
            log.warning("tts index unavailable (%s); <Say>", type(error).__name__)
        return SpeechAnswer(None, 0)

    def _reuse_seconds(self, static: bool, settled: float) -> float:
        if not static:
            return 0
        url_life = self.urls.reuse_seconds()
        return settled if url_life is None else min(settled, url_life)

    def prerender(self, voice: ClinicVoice, text: str, *, timeout: float | None = None) -> tuple[str, bool]:
        """Make sure a static prompt is stored (warm-up); returns (object key, whether it was synthesised now)."""
        key = self.key_for(voice, text, None)
        stored_at = self.index.get(key)
        if stored_at:
            return stored_at, False
        future = self._render_once(key, voice, text, None, True)
        return future.result(timeout=timeout), True

    def _vendor_open(self) -> bool:
        return self.breaker.allow() and not self.index.backing_off()

    def _render_once(self, key: str, voice: ClinicVoice, text: str, language: str | None, static: bool) -> Future:
        with self._inflight_lock:
            future = self._inflight.get(key)
            if future is not None:
                return future
            future = self.executor.submit(self._render, key, voice, text, language, static)
            self._inflight[key] = future
        future.add_done_callback(lambda done: self._forget(key, done))
        return future

    def _forget(self, key: str, done: Future) -> None:
        with self._inflight_lock:
            if self._inflight.get(key) is done:
                del self._inflight[key]

    def _render(self, key: str, voice: ClinicVoice, text: str, language: str | None, static: bool) -> str:
        lock = self.index.lock(key, self.settings.tts_lock_seconds)
        give_up = self.clock() + self.settings.tts_lock_seconds
        while not lock.acquire():
            # Another pod is synthesising this key: its index entry is our answer.
            stored_at = self.index.get(key)
            if stored_at:
                return stored_at
            if self.clock() >= give_up:
                raise SynthesisFailed("busy", "another pod's synthesis did not finish")
            time.sleep(WAIT_POLL_SECONDS)
        try:
            stored_at = self.index.get(key)
            if stored_at:
                return stored_at
            stored_at = object_key(key, static=static)
            if static and self.store.exists(stored_at):
                self.index.put(key, stored_at, None)  # the index was lost (Redis flushed); S3 still has it
                return stored_at
            audio = self._call_vendor(voice, text, language)
            self.store.put(stored_at, audio, AUDIO_CONTENT_TYPE, AUDIO_CACHE_CONTROL)
            self.index.put(key, stored_at, None if static else self.settings.tts_dynamic_index_seconds)
            return stored_at
        finally:
            lock.release()

    def _call_vendor(self, voice: ClinicVoice, text: str, language: str | None) -> bytes:
        if not self._vendor_open():
            raise SynthesisFailed("circuit_open")
        if not self.vendor_slots.acquire(timeout=self.settings.tts_deadline_seconds):
            raise SynthesisFailed("busy", "all ElevenLabs slots of this pod are in use")
        try:
            audio = self.synthesizer.synthesize(voice, text, language)
        except SynthesisFailed as error:
            self._record_failure(error)
            raise
        finally:
            self.vendor_slots.release()
        self.breaker.record_success()
        self._backoff_seconds = self.settings.tts_backoff_seconds
        return audio

    def _record_failure(self, error: SynthesisFailed) -> None:
        if error.kind == "rate_limited":
            log.warning("ElevenLabs rate limit (%s); pausing requests for %.1f s", error, self._backoff_seconds)
            self.index.back_off(self._backoff_seconds)
            self._backoff_seconds = min(self._backoff_seconds * 2, MAX_BACKOFF_SECONDS)
        elif error.kind in ("timeout", "server_error", "unavailable"):
            self.breaker.record_failure()
        else:
            log.warning("ElevenLabs refused a prompt: %s", error)

    def shutdown(self) -> None:
        """Stop the synthesis threads (tests and the warm command)."""
        self.executor.shutdown(wait=True, cancel_futures=True)
