"""Speech from ElevenLabs through its v2 SDK (`client.text_to_speech.convert`), as telephone WAV,
with the failure kinds the caller-facing code reacts to and a circuit breaker."""

from __future__ import annotations

import io
import logging
import threading
import time
import wave
from collections.abc import Callable

import httpx
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError as ElevenLabsApiError
from elevenlabs.types import VoiceSettings as SdkVoiceSettings

from services.tts.voices import ClinicVoice
from shared import metrics

log = logging.getLogger(__name__)


class SynthesisFailed(Exception):
    """No audio: `kind` is timeout, rate_limited, server_error, rejected, unavailable, busy or circuit_open."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def pcm_sample_rate(output_format: str) -> int:
    """The sample rate of an ElevenLabs pcm_* format (pcm_8000 -> 8000)."""
    codec, _, rate = output_format.partition("_")
    if codec != "pcm" or not rate.isdigit():
        raise ValueError(f"TTS_OUTPUT_FORMAT must be a pcm_* format, not {output_format!r}")
    return int(rate)


def wav_from_pcm(pcm: bytes, sample_rate: int) -> bytes:
    """Wrap raw 16-bit little-endian mono PCM into a WAV file Twilio can <Play>."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm[: len(pcm) - len(pcm) % 2])
    return buffer.getvalue()


def _error_status(body) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail.get("status", "")) if isinstance(detail, dict) else ""


class ElevenLabsSynthesizer:
    """One text in the clinic's voice -> 8 kHz WAV bytes; SDK retries are off (we answer <Say> instead)."""

    def __init__(self, client: ElevenLabs, output_format: str, timeout_seconds: float):
        self.client = client
        self.output_format = output_format
        self.sample_rate = pcm_sample_rate(output_format)
        self.timeout_seconds = timeout_seconds

    def synthesize(self, voice: ClinicVoice, text: str, language: str | None) -> bytes:
        """Render one prompt; raises SynthesisFailed with the kind of failure."""
        options = {"max_retries": 0, "timeout_in_seconds": self.timeout_seconds}
        extra = {}
        language_code = voice.language_code(language)
        if language_code:
            extra["language_code"] = language_code
        settings = voice.settings.model_dump(exclude_none=True)
        if settings:
            extra["voice_settings"] = SdkVoiceSettings(**settings)
        try:
            chunks = self.client.text_to_speech.convert(
                voice.voice_id, text=text, model_id=voice.model_id, output_format=self.output_format,
                request_options=options, **extra,
            )
            pcm = b"".join(chunks)
        except ElevenLabsApiError as error:
            status = error.status_code or 0
            vendor_status = _error_status(error.body)
            if status == 429:
                raise SynthesisFailed("rate_limited", vendor_status or "429") from None
            if status >= 500:
                raise SynthesisFailed("server_error", str(status)) from None
            raise SynthesisFailed("rejected", f"{status} {vendor_status}".strip()) from None
        except httpx.TimeoutException:
            raise SynthesisFailed("timeout", "ElevenLabs did not answer in time") from None
        except httpx.HTTPError as error:
            raise SynthesisFailed("unavailable", type(error).__name__) from None
        if not pcm:
            raise SynthesisFailed("server_error", "empty audio")
        return wav_from_pcm(pcm, self.sample_rate)


def make_elevenlabs(settings) -> ElevenLabs | None:
    """The SDK client when ELEVENLABS_API_KEY is set, else None (prompts are spoken with <Say>)."""
    if settings.elevenlabs_api_key is None or not settings.elevenlabs_api_key.get_secret_value():
        return None
    return ElevenLabs(api_key=settings.elevenlabs_api_key.get_secret_value(), base_url=settings.elevenlabs_base_url,
                      timeout=settings.tts_vendor_timeout_seconds)


class CircuitBreaker:
    """Opens after N consecutive failures and answers "no" for a while; one trial request closes it."""

    def __init__(self, failures_to_open: int, open_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self.clock = clock
        self.failures = 0
        self.open_until = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Whether a request may go to ElevenLabs now."""
        return self.clock() >= self.open_until

    def record_success(self) -> None:
        """A request succeeded: close the circuit."""
        with self._lock:
            self.failures = 0
            self.open_until = 0.0
        metrics.breaker_state("elevenlabs", is_open=False)

    def record_failure(self) -> None:
        """A request failed (timeout, 5xx, transport): open the circuit after too many in a row."""
        with self._lock:
            self.failures += 1
            if self.failures >= self.failures_to_open:
                self.open_until = self.clock() + self.open_seconds
                log.warning("ElevenLabs circuit open for %.0f s after %d failures", self.open_seconds, self.failures)
                metrics.breaker_state("elevenlabs", is_open=True)
