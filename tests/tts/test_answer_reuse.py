"""Which tts answers the Twilio-facing services may reuse without asking again: "this clinic has no
voice" and a static prompt's stored recording are; anything dynamic or with patient data is not. The
services' Prompter keeps the reusable ones, so a busy line makes almost no requests to tts."""

from __future__ import annotations

from services.tts.prompts import greeting as greeting_menu
from shared.cache import TTLCache
from shared.twiml import Prompter
from tests.tts.test_speech_cache import DYNAMIC_TEXT


def _riverside(tts_system) -> dict:
    return tts_system.app.apps["twilio_handler"].extensions["receptionist"].clinics.by_number("+16175550100")


def test_static_recording_is_reusable_dynamic_and_patient_data_are_not(tts_system):
    static = tts_system.answer(greeting_menu(_riverside(tts_system)))
    assert static["url"] and static["cache_seconds"] > 0
    dynamic = tts_system.answer(DYNAMIC_TEXT)
    assert dynamic["url"] and dynamic["cache_seconds"] == 0
    refused = tts_system.answer(DYNAMIC_TEXT, patient_data=True)  # riverside has no BAA
    assert refused["url"] is None and refused["cache_seconds"] > 0


def test_no_voice_without_elevenlabs_is_reusable(system):
    response = system.internal("POST", "/tts/speech", json={"clinic": "riverside", "text": "Hello."})
    assert response.get_json() == {"url": None, "cache_seconds": 300}


def test_a_whole_call_without_elevenlabs_asks_tts_once_per_service(system, monkeypatch):
    from shared.service_client import ServiceClient

    asked: list[str] = []
    real_call = ServiceClient.call

    def counted(self, method, service, path, **kwargs):
        if service == "tts":
            asked.append(path)
        return real_call(self, method, service, path, **kwargs)

    monkeypatch.setattr(ServiceClient, "call", counted)
    for caller in ("+16175550123", "+16175550124"):
        call = system.phone(caller=caller)
        call.start()
        call.answer(digits="1")
        call.answer(digits="1")
        call.answer(speech="next Tuesday at 10am")
    # twilio_handler, intent_handler and booking_handler each learn "no voice" once, then <Say> on their own
    assert 1 <= len(asked) <= 3


class CountingClient:
    """The Prompter's service client, answering from the real tts app and counting requests."""

    def __init__(self, tts_system):
        self.tts_system = tts_system
        self.requests: list[dict] = []

    def post(self, service: str, path: str, payload: dict):
        """POST to the in-process tts app, as ServiceClient.post would."""
        assert (service, path) == ("tts", "/tts/speech")
        self.requests.append(payload)
        return self.tts_system.answer(payload["text"], payload["clinic"],
                                      patient_data=payload["patient_data"], prefetch=payload["prefetch"])


def test_prompter_asks_once_for_reusable_answers_and_every_time_for_the_rest(tts_system):
    client = CountingClient(tts_system)
    answers = TTLCache(300)
    greeting = greeting_menu(_riverside(tts_system))
    for _ in range(3):
        prompter = Prompter(client, "riverside", "Polly.Joanna", answers)  # one per turn, as in Turn
        assert prompter.audio_url(greeting, patient_data=False).startswith("https://audio.example.test/tts/static/")
        assert prompter.audio_url(DYNAMIC_TEXT, patient_data=False)
        assert prompter.audio_url("Jane Doe, Tuesday at 10 AM.", patient_data=True) is None
    asked = [(request["text"], request["patient_data"]) for request in client.requests]
    assert asked.count((greeting, False)) == 1
    assert asked.count((DYNAMIC_TEXT, False)) == 3
    assert asked.count(("Jane Doe, Tuesday at 10 AM.", True)) == 1  # riverside: no voice for patient data


def test_reused_answers_expire(tts_system):
    now = [0.0]
    client = CountingClient(tts_system)
    answers = TTLCache(300, clock=lambda: now[0])
    greeting = greeting_menu(_riverside(tts_system))
    Prompter(client, "riverside", "Polly.Joanna", answers).audio_url(greeting, patient_data=False)
    now[0] = 299.0
    Prompter(client, "riverside", "Polly.Joanna", answers).audio_url(greeting, patient_data=False)
    assert len(client.requests) == 1
    now[0] = 301.0
    Prompter(client, "riverside", "Polly.Joanna", answers).audio_url(greeting, patient_data=False)
    assert len(client.requests) == 2


def test_presigned_urls_are_reused_for_a_quarter_of_their_life(tts_system):
    urls = tts_system.speech.urls
    assert urls.reuse_seconds() is None  # CloudFront URLs do not expire
    urls.audio_base_url = ""
    urls.presign_seconds = 600
    assert urls.reuse_seconds() == 150
    answer = tts_system.answer(greeting_menu(_riverside(tts_system)))
    assert "Signature=" in answer["url"] and answer["cache_seconds"] == 150
