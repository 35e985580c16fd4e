"""tts settings: the ElevenLabs account, the audio cache and the limits that keep calls fast."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from shared.settings import CommonSettings

LOCAL_TTS_CACHE_SECRET = "local-tts-cache-secret"


class TtsSettings(CommonSettings):
    """Settings for the tts service; without ELEVENLABS_API_KEY every prompt is spoken with <Say>."""

    elevenlabs_api_key: SecretStr | None = Field(None, description="ElevenLabs API key; unset = always <Say>")
    elevenlabs_base_url: str = Field("https://api.elevenlabs.io", description="ElevenLabs API base URL")
    tts_cache_secret: SecretStr = Field(
        SecretStr(LOCAL_TTS_CACHE_SECRET),
        description="HMAC key of the audio cache keys (prompt text never appears in a key)",
    )
    tts_default_voice_id: str = Field("21m00Tcm4TlvDq8ikWAM", description="voice for clinics without one")
    tts_default_model_id: str = Field("eleven_multilingual_v2", description="model for clinics without one")
    tts_output_format: str = Field("pcm_8000", description="ElevenLabs format; pcm_8000 is wrapped into 8 kHz WAV")
    tts_deadline_seconds: float = Field(1.5, gt=0, description="longest a caller waits for live synthesis")
    tts_vendor_timeout_seconds: float = Field(10.0, gt=0, description="HTTP timeout of one ElevenLabs request")
    tts_max_concurrent_requests: int = Field(
        3, ge=1, description="ElevenLabs requests in flight per pod (keep pods x this within the plan's concurrency)"
    )
    tts_breaker_failures: int = Field(5, ge=1, description="consecutive failures that open the circuit")
    tts_breaker_open_seconds: float = Field(30.0, gt=0, description="how long an open circuit answers null")
    tts_backoff_seconds: float = Field(2.0, gt=0, description="first pause after a 429; doubles up to 60 s")
    tts_lock_seconds: float = Field(15.0, gt=0, description="lifetime of the cross-pod synthesis lock")
    tts_dynamic_index_seconds: int = Field(
        6 * 86400, gt=0, description="index lifetime of dynamic prompts (below the 7-day S3 expiry)"
    )
    audio_base_url: str | None = Field(None, description="CloudFront base URL of the bucket's tts/ objects")
    tts_presign_seconds: int = Field(
        6 * 3600, ge=60, le=7 * 86400, description="lifetime of presigned audio URLs (no AUDIO_BASE_URL)"
    )

    @model_validator(mode="after")
    def _require_cache_secret_in_production(self) -> TtsSettings:
        if self.environment == "production" and self.tts_cache_secret.get_secret_value() == LOCAL_TTS_CACHE_SECRET:
            raise ValueError("TTS_CACHE_SECRET must be set in production")
        return self
