"""Fixtures for the tts tests: the fake ElevenLabs behind the real SDK, S3 through moto, real Redis,
and the whole system in one process with two clinics whose voices differ."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from elevenlabs import ElevenLabs
from moto import mock_aws
from sqlalchemy import select

from services.all_in_one import create_all_in_one
from services.knowledge_base.models import Clinic
from services.messaging.senders import LocalOutboxSender
from services.tts.speech import SpeechService
from shared.db import transaction
from shared.sessions import RedisCallSessionStore
from shared.settings import LOCAL_INTERNAL_TOKEN
from shared.storage import S3ObjectStore
from tests.tts.elevenlabs_fake import API_KEY, FakeElevenLabs, load_spec

BUCKET = "receptionist-audio-test"
AUDIO_BASE_URL = "https://audio.example.test"
RIVERSIDE_VOICE = {"voice_id": "RiversideVoice01", "model_id": "eleven_multilingual_v2",
                   "settings": {"stability": 0.4, "similarity_boost": 0.8, "style": 0.1, "speed": 1.0,
                                "use_speaker_boost": True}}
HARBOR_VOICE = {"voice_id": "HarborVoice02", "model_id": "eleven_flash_v2_5",
                "settings": {"stability": 0.7, "speed": 1.1}}


class CountingStore:
    """An object store that counts the calls made to it (a cache hit must make none)."""

    def __init__(self, store):
        self.store = store
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        attribute = getattr(self.store, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def fake_elevenlabs() -> FakeElevenLabs:
    """The fake vendor; the test fails if any request broke the vendor's spec."""
    fake = FakeElevenLabs(load_spec())
    yield fake
    assert fake.violations == []


@pytest.fixture
def elevenlabs_sdk(fake_elevenlabs) -> ElevenLabs:
    """The real ElevenLabs SDK, talking to the fake through its httpx client."""
    return ElevenLabs(api_key=API_KEY, httpx_client=httpx.Client(transport=fake_elevenlabs.transport()))


@pytest.fixture
def s3_store():
    """An S3 bucket through moto, counted."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield CountingStore(S3ObjectStore(client, BUCKET))


@pytest.fixture
def clinic_voices(db_factory, demo_clinics) -> None:
    """Riverside and Harbor Dental get different voices; Harbor has a BAA (patient data allowed)."""
    with transaction(db_factory) as db:
        clinics = {clinic.slug: clinic for clinic in db.scalars(select(Clinic))}
        clinics["riverside"].voice = RIVERSIDE_VOICE
        clinics["harbor-dental"].voice = HARBOR_VOICE
        clinics["harbor-dental"].options = {"tts_allow_patient_data": True}


@dataclass
class TtsSystem:
    """The system with the clinic's voice on, and short ways to ask the tts service."""

    app: Any
    client: Any
    store: CountingStore
    fake: FakeElevenLabs

    @property
    def speech(self) -> SpeechService:
        """The tts service's speech service."""
        return self.app.apps["tts"].extensions["receptionist"].speech

    def answer(self, text: str, clinic: str = "riverside", **extra: Any) -> dict[str, Any]:
        """POST /tts/speech as another service does; returns the JSON answer."""
        response = self.client.post("/tts/speech", json={"clinic": clinic, "text": text, **extra},
                                    headers={"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def speak(self, text: str, clinic: str = "riverside", **extra: Any) -> str | None:
        """POST /tts/speech as another service does; returns the URL (or None)."""
        return self.answer(text, clinic, **extra)["url"]


TTS_OVERRIDES = {"audio_base_url": AUDIO_BASE_URL, "tts_deadline_seconds": 1.0, "tts_breaker_failures": 3,
                 "tts_breaker_open_seconds": 30, "tts_backoff_seconds": 5}


@pytest.fixture
def tts_overrides() -> dict[str, Any]:
    """tts settings for a test (change before using tts_system)."""
    return dict(TTS_OVERRIDES)


def build_tts_system(overrides: dict[str, Any], store, elevenlabs: ElevenLabs | None, fake: FakeElevenLabs,
                     engine, redis_client) -> TtsSystem:
    """The whole system with the given tts settings, object store and ElevenLabs client."""
    from werkzeug.test import Client

    app = create_all_in_one(
        overrides, engine=engine, session_store=RedisCallSessionStore(redis_client),
        sms_sender=LocalOutboxSender(io.StringIO()), elevenlabs=elevenlabs, object_store=store,
        redis_client=redis_client,
    )
    return TtsSystem(app=app, client=Client(app), store=store, fake=fake)


@pytest.fixture
def tts_system(engine, database, clinic_voices, redis_client, settings_overrides, tts_overrides, elevenlabs_sdk,
               s3_store, fake_elevenlabs) -> TtsSystem:
    """The whole system on Postgres and Redis, audio in moto S3, speech from the fake ElevenLabs."""
    system = build_tts_system({**settings_overrides, **tts_overrides}, s3_store, elevenlabs_sdk, fake_elevenlabs,
                              engine, redis_client)
    yield system
    system.speech.shutdown()
