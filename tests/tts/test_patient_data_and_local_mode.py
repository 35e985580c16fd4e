"""Patient details reach ElevenLabs only for clinics that allow it; local mode serves the audio itself,
and without ELEVENLABS_API_KEY every prompt is spoken with <Say>."""

from __future__ import annotations

import io
import wave

import pytest

from services.tts.audio_cache import AUDIO_CACHE_CONTROL
from shared.storage import LocalObjectStore
from tests.tts.conftest import TTS_OVERRIDES, build_tts_system

READ_BACK = ("Let me read that back. Dr. Sarah Chen, Tuesday at 10 AM, for Jane Doe. "
             "Press 1 to confirm, or 2 to start over.")
PUBLIC_BASE_URL = "https://clinic-tunnel.example.test"


def test_patient_data_is_never_sent_unless_the_clinic_allows_it(tts_system):
    assert tts_system.speak(READ_BACK, clinic="riverside", patient_data=True) is None
    assert tts_system.fake.requests == []
    url = tts_system.speak(READ_BACK, clinic="harbor-dental", patient_data=True)
    assert url and "/tts/dynamic/" in url  # allowed (BAA): synthesised, and expires with dynamic audio
    assert [seen.body["text"] for seen in tts_system.fake.requests] == [READ_BACK]


def test_patient_data_prompt_is_not_served_from_cache_when_not_allowed(tts_system):
    assert tts_system.speak(READ_BACK, clinic="riverside")  # same text sent without the flag
    assert tts_system.speak(READ_BACK, clinic="riverside", patient_data=True) is None


def test_a_booking_call_sends_no_patient_details_to_elevenlabs(tts_system):
    _, reply = book_by_keypad_with_audio(tts_system)
    sent = " ".join(tts_system.fake.texts())
    assert "Jane Doe" not in sent and "12 Main" not in sent
    assert reply.hung_up


def _phone(tts_system):
    from tools.phone import PhoneCall

    def transport(url, params, headers):
        response = tts_system.client.post(url, data=params, headers=headers)
        return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)

    return PhoneCall(transport, "http://localhost", to="+16175550100", caller="+16175550123")


def book_by_keypad_with_audio(tts_system):
    """The walking skeleton's keypad booking, on a system whose prompts are played from audio."""
    call = _phone(tts_system)
    greeting = call.start()
    assert greeting.text.startswith("[audio https://audio.example.test/tts/")  # <Play> of the clinic's voice
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech="next Tuesday at 10am")
    call.answer(speech="my name is Jane Doe")
    reply = call.answer(speech="12 Main Street, Boston")
    assert "Jane Doe" in reply.text  # the read-back is spoken with <Say>, not sent to ElevenLabs
    return call, call.answer(digits="1")


@pytest.fixture
def local_tts_system(engine, database, clinic_voices, redis_client, settings_overrides, elevenlabs_sdk,
                     fake_elevenlabs, tmp_path):
    """Local mode: audio in a folder, served by the tts service under PUBLIC_BASE_URL."""
    overrides = {**settings_overrides, **TTS_OVERRIDES, "audio_base_url": None, "public_base_url": PUBLIC_BASE_URL}
    system = build_tts_system(overrides, LocalObjectStore(tmp_path), elevenlabs_sdk, fake_elevenlabs, engine,
                              redis_client)
    yield system
    system.speech.shutdown()


def test_local_mode_serves_wav_with_immutable_caching(local_tts_system):
    url = local_tts_system.speak("Thank you for waiting.")
    assert url.startswith(f"{PUBLIC_BASE_URL}/tts/audio/") and url.endswith(".wav")
    response = local_tts_system.client.get(url.removeprefix(PUBLIC_BASE_URL))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/wav"
    assert response.headers["Cache-Control"] == AUDIO_CACHE_CONTROL
    assert "immutable" in response.headers["Cache-Control"]
    with wave.open(io.BytesIO(response.data)) as wav:
        assert wav.getframerate() == 8000 and wav.getsampwidth() == 2


def test_local_audio_route_refuses_unknown_and_malformed_keys(local_tts_system):
    assert local_tts_system.client.get(f"/tts/audio/{'0' * 64}.wav").status_code == 404
    assert local_tts_system.client.get("/tts/audio/not-a-key.wav").status_code == 404
    assert local_tts_system.client.get("/tts/audio/..%2F..%2Fetc%2Fpasswd.wav").status_code == 404


def test_without_an_api_key_every_prompt_is_null(engine, database, clinic_voices, redis_client, settings_overrides,
                                                  fake_elevenlabs, tmp_path):
    system = build_tts_system({**settings_overrides, "elevenlabs_api_key": None}, LocalObjectStore(tmp_path), None,
                              fake_elevenlabs, engine, redis_client)
    assert system.speak("Thank you for waiting.") is None
    assert not system.speech.enabled
    reply = _phone(system).start()
    assert "Riverside Family Clinic" in reply.text  # the greeting is spoken with <Say>
