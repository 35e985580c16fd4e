"""No Twilio-facing route ever answers 5xx: when a dependency fails the caller hears an apology and
is put through to staff, and the error is logged with the CallSid."""

from __future__ import annotations

import logging

import pytest
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from shared.routes import ROUTES, Exposure
from shared.sessions import RedisCallSessionStore, make_redis
from tools.phone import PhoneCall

CALL_SERVICES = ("twilio_handler", "intent_handler", "booking_handler")
# /call-status and /staff-whisper touch no session: they answer without Redis (tested on their own)
TWILIO_PATHS = [route.path for route in ROUTES if route.exposure is Exposure.TWILIO and route.service in CALL_SERVICES
                and route.path not in ("/call-status", "/staff-whisper")]


def phone_for(app) -> PhoneCall:
    client = Client(app)

    def transport(url, params, headers):
        response = client.post(url, data=params, headers=headers)
        return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)

    return PhoneCall(transport, "http://localhost", to="+16175550100", caller="+16175550123")


@pytest.mark.parametrize("path", TWILIO_PATHS)
def test_redis_down_gives_apology_and_staff_on_every_route(engine, database, demo_clinics, settings_overrides, path,
                                                          caplog):
    dead_redis = RedisCallSessionStore(make_redis("redis://127.0.0.1:1/0"))
    app = create_all_in_one(settings_overrides, engine=engine, session_store=dead_redis)
    call = phone_for(app)
    with caplog.at_level(logging.ERROR):
        status, content_type, body = call.post(path, {"Digits": "1", "SpeechResult": "yes"})
    assert status == 200 and content_type.startswith("text/xml")
    assert "something went wrong" in body and "<Dial>+16175550199</Dial>" in body
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert failures and getattr(failures[0], "call_sid", None) == call.call_sid


def test_database_down_mid_call_gives_apology(system, monkeypatch):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")

    from services.calendly import service as calendly_service

    def broken(**_):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(calendly_service, "find_nearest_free_slots", broken)
    reply = call.answer(speech="tomorrow at 10 am")
    assert "something went wrong" in reply.text and reply.dialled == "+16175550199"


def test_a_lost_session_starts_over_politely(system, caplog):
    call = system.phone()
    call.start()
    system.sessions.delete(call.call_sid)
    with caplog.at_level(logging.INFO):
        reply = call.answer(digits="1")
    assert reply.text.startswith("I'm sorry, I lost track of our conversation. Let's start again. How can I help?")
    assert reply.gather["action"] == "/process-selection"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    reply = call.answer(digits="1")
    assert reply.text.startswith("Which doctor?")


def test_knowledge_base_down_at_greeting_still_answers_twiml(engine, database, redis_client, settings_overrides):
    app = create_all_in_one({**settings_overrides, "database_url": "postgresql+psycopg2://postgres@127.0.0.1:1/none"})
    status, content_type, body = phone_for(app).post("/voice", {})
    assert status == 200 and content_type.startswith("text/xml") and "something went wrong" in body
