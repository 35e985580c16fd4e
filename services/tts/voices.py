"""Each clinic's voice (ElevenLabs voice, model and settings) and whether it may hear patient data,
read from the clinic configuration in knowledge_base and cached with a TTL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.cache import TTLCache
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)

ALLOWED_MODELS = frozenset({
    "eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_flash_v2", "eleven_turbo_v2",
})
# Only these models accept language_code; the others reject a request that carries one.
LANGUAGE_MODELS = frozenset({"eleven_flash_v2_5", "eleven_turbo_v2_5"})


class VoiceSettings(BaseModel):
    """ElevenLabs voice settings a clinic may set; unset values keep the voice's stored settings."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    stability: float | None = Field(None, ge=0, le=1)
    similarity_boost: float | None = Field(None, ge=0, le=1)
    style: float | None = Field(None, ge=0, le=1)
    speed: float | None = Field(None, ge=0.7, le=1.2)
    use_speaker_boost: bool | None = None


@dataclass(frozen=True)
class ClinicVoice:
    """What decides how a clinic's prompts sound, and whether patient details may be sent."""

    slug: str
    voice_id: str
    model_id: str
    settings: VoiceSettings
    allow_patient_data: bool
    clinic: dict[str, Any]

    def language_code(self, language: str | None) -> str | None:
        """The ISO 639-1 code to send, only for models that accept one."""
        if not language or self.model_id not in LANGUAGE_MODELS:
            return None
        return language.split("-")[0].lower()[:2] or None


def clinic_voice(clinic: dict[str, Any], *, default_voice_id: str, default_model_id: str) -> ClinicVoice:
    """The voice from a clinic's configuration, with defaults for what is missing or invalid."""
    voice = clinic.get("voice") or {}
    options = clinic.get("options") or {}
    model_id = voice.get("model_id") or default_model_id
    if model_id not in ALLOWED_MODELS:
        log.warning("clinic %s: unsupported TTS model %s, using %s", clinic.get("slug"), model_id, default_model_id)
        model_id = default_model_id
    try:
        settings = VoiceSettings.model_validate(voice.get("settings") or {})
    except ValidationError as error:
        log.warning("clinic %s: invalid voice settings (%s), using the voice's own", clinic.get("slug"),
                    error.error_count())
        settings = VoiceSettings()
    return ClinicVoice(
        slug=clinic["slug"],
        voice_id=str(voice.get("voice_id") or default_voice_id),
        model_id=model_id,
        settings=settings,
        allow_patient_data=options.get("tts_allow_patient_data") is True,
        clinic=clinic,
    )


class ClinicVoices:
    """Clinic voices and doctor lists from knowledge_base, cached for CLINIC_CACHE_TTL_SECONDS."""

    def __init__(self, client: ServiceClient, settings):
        self.client = client
        self.settings = settings
        self.cache = TTLCache(settings.clinic_cache_ttl_seconds, settings.cache_max_entries,
                              name="tts_clinic_config")

    def voice(self, slug: str) -> ClinicVoice | None:
        """The clinic's voice, or None when the clinic is unknown or knowledge_base is unreachable."""
        def load() -> ClinicVoice:
            return clinic_voice(self.client.get("knowledge_base", f"/kb/clinics/{slug}"),
                                default_voice_id=self.settings.tts_default_voice_id,
                                default_model_id=self.settings.tts_default_model_id)

        try:
            return self.cache.get_or_load(("voice", slug), load)
        except ServiceCallError as error:
            log.warning("clinic config unavailable for tts: %s", error.status or error.message)
            return None

    def doctors(self, slug: str) -> list[dict[str, Any]]:
        """The clinic's active doctors (for the prompts that name them); empty when unavailable."""
        try:
            return self.cache.get_or_load(
                ("doctors", slug), lambda: self.client.get("knowledge_base", f"/kb/clinics/{slug}/doctors")
            )
        except ServiceCallError as error:
            log.warning("doctor list unavailable for tts: %s", error.status or error.message)
            return []
