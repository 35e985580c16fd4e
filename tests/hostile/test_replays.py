"""The same Twilio webhook delivered twice (a replay, or Twilio retrying after a timeout) changes
nothing twice: one call row, one appointment, one text, one recorded outcome."""

from __future__ import annotations

from sqlalchemy import text
from twilio.request_validator import RequestValidator

from shared.call_session import CallSession
from shared.settings import LOCAL_TWILIO_AUTH_TOKEN
from tests.conftest import CALLER
from tests.timing import next_weekday_at, spoken_day

VALIDATOR = RequestValidator(LOCAL_TWILIO_AUTH_TOKEN)


def replay(system, call, path: str, extra: dict[str, str]):
    """Deliver exactly the request Twilio sent, signature and all, once more."""
    url = f"http://localhost{path}"
    params = call._params(extra)
    return system.http.post(url, data=params, headers={"X-Twilio-Signature": VALIDATOR.compute_signature(url, params)})


def count(engine, sql: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


def booked_call(system):
    """A call taken up to the read-back of a booking."""
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech=spoken_day(next_weekday_at(15)))
    call.answer(speech="Jane Doe")
    reply = call.answer(speech="12 Main Street Boston")
    assert "Press 1 to book" in reply.text
    return call


def test_voice_delivered_twice_records_one_call_and_keeps_the_session(system, engine):
    call = system.phone()
    call.start()
    session_before = system.sessions.load(call.call_sid)
    response = replay(system, call, "/voice", {})
    assert response.status_code == 200 and b"<Gather" in response.data
    assert count(engine, "SELECT count(*) FROM calls") == 1
    assert system.sessions.load(call.call_sid) == session_before


def test_confirm_delivered_twice_books_once_and_texts_once(system, engine):
    call = booked_call(system)
    first = call.answer(digits="1")
    assert "You're booked" in first.text
    response = replay(system, call, "/confirm-booking", {"Digits": "1"})
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert count(engine, "SELECT count(*) FROM appointments") == 1
    texts = system.internal("POST", "/messaging/sms/search", json={"to": CALLER}).get_json()
    assert len(texts) == 1


def test_call_status_delivered_twice_keeps_the_first_outcome(system, engine):
    call = booked_call(system)
    call.answer(digits="1")
    assert call.hang_up(duration=61) == 200
    assert replay(system, call, "/call-status", {"CallStatus": "completed", "CallDuration": "99"}).status_code == 200
    with engine.connect() as connection:
        outcome, duration = connection.execute(text("SELECT outcome, duration_seconds FROM calls")).one()
    assert (outcome, duration) == ("booked", 61)


def test_capture_steps_delivered_twice_leave_the_same_booking(system, engine):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    replay(system, call, "/capture-doctor-name", {"Digits": "1"})
    call.answer(speech=spoken_day(next_weekday_at(14)))
    call.answer(speech="Jane Doe")
    replay(system, call, "/capture-user-name", {"SpeechResult": "Jane Doe", "Confidence": "0.9"})
    request = CallSession.load(system.sessions.load(call.call_sid)).request
    assert (request.doctor_name, request.name) == ("Dr. Sarah Chen", "Jane Doe") and request.start is not None
    assert count(engine, "SELECT count(*) FROM appointments") == 0
