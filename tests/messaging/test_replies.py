"""Patients' replies: C confirms and X cancels, through calendly, the appointment of the text the reply
answers (from the number it was sent to, once per MessageSid); anything else gets help; STOP and
START are recorded so texts stop and resume."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from sqlalchemy import select

from services.calendly.models import Appointment, NotificationOutbox
from services.messaging.optouts import is_opted_out
from shared.db import transaction
from tests.messaging.conftest import FROM_NUMBER, PATIENT, book, next_weekday_slot

_MESSAGE_SIDS = (f"SM{index:032d}" for index in itertools.count(1))


def reply(system, body: str, sender: str = PATIENT, **extra: str) -> str | None:
    """Send an inbound SMS as Twilio does (a new MessageSid unless given); our TwiML reply's text."""
    response = system.twilio_post("/sms/inbound", {"From": sender, "To": FROM_NUMBER, "Body": body,
                                                   "MessageSid": next(_MESSAGE_SIDS), **extra})
    assert response.status_code == 200 and response.mimetype == "text/xml"
    document = ET.fromstring(response.get_data(as_text=True))
    assert document.tag == "Response"
    message = document.find("Message")
    return message.text if message is not None else None


def test_c_confirms_the_appointment_of_the_text_it_answers(sms_system, db_factory):
    sooner = book(sms_system, db_factory, start=next_weekday_slot(weekday=1))
    later = book(sms_system, db_factory, start=next_weekday_slot(weekday=3))  # the last text was about this one
    text = reply(sms_system, " c ")
    assert "is confirmed" in text and "Dr. Sarah Chen" in text and "Riverside Family Clinic" in text
    with transaction(db_factory) as db:
        assert db.get(Appointment, later["id"]).confirmed_at is not None
        assert db.get(Appointment, sooner["id"]).confirmed_at is None
    assert "is confirmed" in reply(sms_system, "C")  # a repeat is harmless


def test_x_cancels_the_next_appointment_with_a_confirming_reply(sms_system, db_factory):
    appointment = book(sms_system, db_factory)
    text = reply(sms_system, "X")
    assert "has been cancelled" in text and "Dr. Sarah Chen" in text and "10 AM" in text
    with transaction(db_factory) as db:
        assert db.get(Appointment, appointment["id"]).status == "cancelled"
        kinds = db.scalars(select(NotificationOutbox.kind)).all()
    assert kinds == ["booking_confirmation"]  # the reply itself is the confirmation: no second text
    assert len(sms_system.twilio.messages) == 1
    listed = sms_system.internal("POST", "/calendly/appointments/search", json={"phone": PATIENT}).get_json()
    assert [item["status"] for item in listed] == ["cancelled"]
    assert reply(sms_system, "x") == "That appointment is no longer booked. Please call us if you need a new one."


def test_a_second_x_never_cancels_another_appointment(sms_system, db_factory):
    other = book(sms_system, db_factory, start=next_weekday_slot(weekday=1))
    answered = book(sms_system, db_factory, start=next_weekday_slot(weekday=3))
    assert "has been cancelled" in reply(sms_system, "X")
    assert "no longer booked" in reply(sms_system, "X")
    with transaction(db_factory) as db:
        assert db.get(Appointment, answered["id"]).status == "cancelled"
        assert db.get(Appointment, other["id"]).status == "booked"


def test_a_replayed_webhook_changes_nothing_twice(sms_system, db_factory):
    book(sms_system, db_factory, start=next_weekday_slot(weekday=1))
    book(sms_system, db_factory, start=next_weekday_slot(weekday=3))
    first = reply(sms_system, "X", MessageSid="SM" + "7" * 32)
    assert reply(sms_system, "X", MessageSid="SM" + "7" * 32) == first
    listed = sms_system.internal("POST", "/calendly/appointments/search", json={"phone": PATIENT}).get_json()
    assert sorted(item["status"] for item in listed) == ["booked", "cancelled"]


def test_cancellation_and_move_texts_say_whom_to_call_if_the_patient_did_not_ask(sms_system, db_factory):
    appointment = book(sms_system, db_factory)
    path = f"/calendly/appointments/{appointment['id']}"
    sms_system.internal("POST", f"{path}/reschedule", json={"start": next_weekday_slot(weekday=4).isoformat()})
    sms_system.internal("POST", f"{path}/cancel", json={"reason": "patient called"})
    moved, cancelled = sms_system.twilio.bodies_to(PATIENT)[1:]
    for body in (moved, cancelled):
        assert body.endswith("If you did not ask for this, call +16175550199.")


def test_anything_else_gets_help(sms_system, db_factory):
    book(sms_system, db_factory)
    assert "Reply C to confirm" in reply(sms_system, "what time is it?")


def test_reply_from_a_number_we_never_texted_acts_on_nothing(sms_system, db_factory):
    appointment = book(sms_system, db_factory)
    assert reply(sms_system, "X", sender="+16175550188") == (
        "We could not find a recent text of ours to answer. Please call us and we will help.")
    with transaction(db_factory) as db:
        assert db.get(Appointment, appointment["id"]).status == "booked"


def test_stop_records_the_opt_out_and_start_resumes_texts(sms_system, db_factory):
    assert reply(sms_system, "STOP") is None  # Twilio answers STOP itself
    with transaction(db_factory) as db:
        assert is_opted_out(db=db, phone=PATIENT)
    book(sms_system, db_factory)
    assert [text["status"] for text in sms_system.texts()] == ["opted_out"]
    assert sms_system.twilio.create_requests == []

    assert reply(sms_system, "start", OptOutType="START") is None
    book(sms_system, db_factory, start=next_weekday_slot(weekday=2))
    assert [text["status"] for text in sms_system.texts()] == ["opted_out", "queued"]
    assert len(sms_system.twilio.messages) == 1


def test_opt_out_type_from_advanced_opt_out_is_honoured(sms_system, db_factory):
    assert reply(sms_system, "ARRET", OptOutType="STOP") is None
    with transaction(db_factory) as db:
        assert is_opted_out(db=db, phone=PATIENT)


def test_unsigned_inbound_is_refused(sms_system, db_factory):
    appointment = book(sms_system, db_factory)
    response = sms_system.http.post("/sms/inbound", data={"From": PATIENT, "Body": "X"})
    assert response.status_code == 403
    with transaction(db_factory) as db:
        assert db.get(Appointment, appointment["id"]).status == "booked"


def test_cancel_endpoint_is_repeat_safe_and_texts_once(sms_system, db_factory):
    appointment = book(sms_system, db_factory)
    path = f"/calendly/appointments/{appointment['id']}/cancel"
    first = sms_system.internal("POST", path, json={"reason": "patient called"})
    second = sms_system.internal("POST", path, json={"reason": "patient called"})
    assert first.status_code == second.status_code == 200
    assert first.get_json()["status"] == "cancelled" and first.get_json()["version"] == 2
    bodies = sms_system.twilio.bodies_to(PATIENT)
    assert len(bodies) == 2 and "has been cancelled" in bodies[1]
    assert sms_system.internal("POST", "/calendly/appointments/9999/cancel", json={"reason": "x"}).status_code == 404
    assert sms_system.internal("POST", path, json={"notify": "sometimes"}).status_code == 422
