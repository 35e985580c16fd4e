"""tts: the clinic's voice for prompts, from ElevenLabs through a shared audio cache. Without
ELEVENLABS_API_KEY it answers null and callers hear <Say>."""

from __future__ import annotations

from dataclasses import dataclass

import redis
import requests
from elevenlabs import ElevenLabs
from flask import Flask

from services.tts.audio_cache import AudioUrls, MemoryAudioIndex, RedisAudioIndex
from services.tts.settings import TtsSettings
from services.tts.speech import SpeechService
from services.tts.synthesis import ElevenLabsSynthesizer, make_elevenlabs
from services.tts.views import VIEWS
from services.tts.voices import ClinicVoices
from shared.app import create_service_app, service_blueprint
from shared.sessions import make_redis
from shared.storage import ObjectStore, make_object_store
from shared.wiring import client_from

SERVICE = "tts"
SETTINGS = TtsSettings


@dataclass
class TtsDependencies:
    """What the tts views use."""

    settings: TtsSettings
    speech: SpeechService
    store: ObjectStore


def build_speech_service(
    settings: TtsSettings,
    *,
    http: requests.Session | None = None,
    object_store: ObjectStore | None = None,
    redis_client: redis.Redis | None = None,
    elevenlabs: ElevenLabs | None = None,
) -> SpeechService:
    """The speech service from settings, with any outside client passed in used instead."""
    store = object_store or make_object_store(settings)
    if redis_client is None and settings.redis_url:
        redis_client = make_redis(settings.redis_url)
    index = RedisAudioIndex(redis_client) if redis_client is not None else MemoryAudioIndex()
    vendor = elevenlabs or make_elevenlabs(settings)
    synthesizer = (
        ElevenLabsSynthesizer(vendor, settings.tts_output_format, settings.tts_vendor_timeout_seconds)
        if vendor is not None else None
    )
    return SpeechService(
        settings=settings, voices=ClinicVoices(client_from(settings, http), settings), index=index, store=store,
        urls=AudioUrls(settings, store, index), synthesizer=synthesizer,
    )


def create_app(
    settings: TtsSettings | None = None,
    *,
    http: requests.Session | None = None,
    object_store: ObjectStore | None = None,
    redis_client: redis.Redis | None = None,
    elevenlabs: ElevenLabs | None = None,
) -> Flask:
    """Build the tts app; outside clients are built from settings unless passed in."""
    settings = settings or TtsSettings()
    speech = build_speech_service(settings, http=http, object_store=object_store, redis_client=redis_client,
                                  elevenlabs=elevenlabs)
    checks = {"object_store": speech.store.ping}
    if isinstance(speech.index, RedisAudioIndex):
        checks["redis"] = speech.index.client.ping
    app = create_service_app(SERVICE, settings, service_blueprint(SERVICE, VIEWS), checks)
    app.extensions["receptionist"] = TtsDependencies(settings, speech, speech.store)
    return app
