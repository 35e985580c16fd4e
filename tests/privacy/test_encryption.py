"""Patient data at rest: the services read and write plain values while the database holds only
ciphertext (names, numbers, e-mail addresses, addresses, texts, outbox payloads, callers), each value
bound to its column and refused when altered."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from services.calendly.models import Appointment, NotificationOutbox, PhoneVerification
from services.messaging.optouts import is_opted_out
from services.twilio_handler.models import Call
from shared.db import make_session_factory, transaction
from shared.patient_data import PatientDataError
from tests.calls.conftest import appointments, doctor_id, texts
from tests.conftest import CALLER
from tests.privacy.conftest import ADDRESS, EMAIL, NAME, WEDNESDAY_10AM, raw_rows, stored_text, text_from

STRANGER = "+16175550142"


def book_with_everything(system, phone: str = CALLER) -> dict:
    """A booking with every kind of patient data."""
    response = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, "Dr. Sarah Chen"), "start": WEDNESDAY_10AM,
        "patient": {"name": NAME, "phone": phone, "email": EMAIL, "address": ADDRESS}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_raw_select_of_every_table_finds_no_patient_data(system, engine):
    booked = book_with_everything(system)
    call = system.phone()
    call.start()
    assert "Dr. Sarah Chen" in call.answer(digits="2").text  # the patient's own phone hears the appointment
    started = system.internal("POST", "/calendly/verifications", json={
        "clinic_id": booked["clinic_id"], "clinic_name": "Riverside Family Clinic", "phone": CALLER, "caller": STRANGER,
        "call_sid": "CA" + "1" * 32})
    assert started.status_code == 201
    assert text_from(system, CALLER, "STOP", "SM" + "1" * 32).status_code == 200

    stored = stored_text(engine)
    for plain in (NAME, "Jane", ADDRESS, "Main Street", EMAIL, "5550123", "5550142"):
        assert plain not in stored, plain
    [row] = raw_rows(engine, "SELECT patient_name, patient_phone, patient_email, patient_address, patient_phone_hash "
                             "FROM appointments")
    assert all(value.startswith("pd1:") for value in row[:4])
    assert len(row[4].split(":")[1]) == 64  # the blind index: a keyed SHA-256, in hex

    # ...while every service reads the values plain
    [found] = appointments(system)
    assert found["id"] == booked["id"] and found["status"] == "booked"
    sent = texts(system)
    assert {item["kind"] for item in sent} == {"booking_confirmation", "verification_code"}
    assert all(item["to"] == CALLER for item in sent)
    assert "Hi Jane" in next(item["body"] for item in sent if item["kind"] == "booking_confirmation")
    with transaction(make_session_factory(engine)) as db:
        appointment = db.get(Appointment, booked["id"])
        assert (appointment.patient_name, appointment.patient_phone, appointment.patient_email,
                appointment.patient_address) == (NAME, CALLER, EMAIL, ADDRESS)
        assert db.scalars(select(NotificationOutbox)).first().payload["to"] == CALLER
        verification = db.scalars(select(PhoneVerification)).one()
        assert (verification.phone, verification.caller) == (CALLER, STRANGER)
        assert db.get(Call, call.call_sid).caller == CALLER
        assert is_opted_out(db=db, phone=CALLER)


def test_a_value_moved_to_another_column_or_altered_is_refused(system, engine):
    booked = book_with_everything(system)
    with engine.begin() as connection:
        connection.execute(text("UPDATE appointments SET patient_address = patient_name"))
    db_factory = make_session_factory(engine)
    with pytest.raises(PatientDataError, match="appointments.patient_address.*fails authentication"):
        with transaction(db_factory) as db:
            db.get(Appointment, booked["id"])
    response = system.internal("POST", "/calendly/appointments/search", json={"phone": CALLER})
    assert response.status_code == 500 and NAME not in response.get_data(as_text=True)

    [(name,)] = raw_rows(engine, "SELECT patient_name FROM appointments")
    altered = name[:-3] + ("A" if name[-3] != "A" else "B") + name[-2:]
    with engine.begin() as connection:
        connection.execute(text("UPDATE appointments SET patient_name = :altered, patient_address = NULL"),
                           {"altered": altered})
    with pytest.raises(PatientDataError, match="appointments.patient_name.*fails authentication"):
        with transaction(db_factory) as db:
            db.get(Appointment, booked["id"])
    with engine.begin() as connection:  # plain text put in place of a value is refused too
        connection.execute(text("UPDATE appointments SET patient_name = 'Mallory'"))
    with pytest.raises(PatientDataError, match="not encrypted"):
        with transaction(db_factory) as db:
            db.get(Appointment, booked["id"])


def test_equal_values_are_stored_differently_and_cannot_be_compared_in_sql(system, engine):
    book_with_everything(system)
    with engine.begin() as connection:
        connection.execute(text("UPDATE appointments SET status = 'cancelled'"))
    book_with_everything(system)
    names = [name for (name,) in raw_rows(engine, "SELECT patient_name FROM appointments")]
    hashes = {hashed for (hashed,) in raw_rows(engine, "SELECT patient_phone_hash FROM appointments")}
    assert len(set(names)) == 2 and len(hashes) == 1  # a fresh nonce per value; one number, one index
    for mistaken in (lambda: Appointment.patient_phone == CALLER, lambda: Appointment.patient_phone.in_([CALLER]),
                     lambda: Appointment.patient_name.like("Jane%")):
        with pytest.raises(TypeError, match="blind index"):
            mistaken()
    assert str(select(Appointment.id).where(Appointment.patient_email.is_(None))).endswith("IS NULL")
