"""The appointment audit log: every read or change through the API is on record with when, who (the
service that asked, or the staff member the console names), what and why (the CallSid or request id),
never patient data; staff list it per appointment; nobody can change or remove an entry."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.db import migrate
from shared.routes import SERVICES
from tests.calls.conftest import MONDAY_9AM_BOSTON, book, doctor_id
from tests.conftest import CALLER
from tests.privacy.conftest import ADDRESS, NAME, WEDNESDAY_10AM, as_caller, raw_rows

STAFF = "front-desk@riverside.example"
CALL_SID = "CA" + "7" * 32
WEDNESDAY_11AM = "2026-12-02T16:00:00+00:00"


def audit_of(system, appointment_id: int) -> list[dict]:
    """The appointment's audit entries, as the staff console would list them."""
    response = as_caller(system, "GET", f"/calendly/appointments/{appointment_id}/audit", staff=STAFF)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["entries"]


def test_reads_and_changes_are_recorded_with_who_and_why(system, engine):
    booked = as_caller(system, "POST", "/calendly/appointments", service="booking_handler", call_sid=CALL_SID, json={
        "doctor_id": doctor_id(system, "Dr. Sarah Chen"), "start": WEDNESDAY_10AM,
        "patient": {"name": NAME, "phone": CALLER, "address": ADDRESS}}).get_json()
    appointment = f"/calendly/appointments/{booked['id']}"
    assert as_caller(system, "POST", "/calendly/appointments/search", service="messaging",
                     json={"phone": CALLER}).status_code == 200
    assert as_caller(system, "POST", f"{appointment}/reschedule", staff=STAFF,
                     json={"start": WEDNESDAY_11AM}).status_code == 200
    assert as_caller(system, "POST", f"{appointment}/confirm", service="messaging").status_code == 200
    assert as_caller(system, "POST", f"{appointment}/cancel", service="booking_handler", call_sid=CALL_SID,
                     json={}).status_code == 200
    assert as_caller(system, "POST", f"{appointment}/cancel", service="booking_handler", json={}).status_code == 200
    refused = as_caller(system, "POST", f"{appointment}/reschedule", staff=STAFF, json={"start": WEDNESDAY_10AM})
    assert refused.status_code == 409  # a refused change leaves no entry

    entries = audit_of(system, booked["id"])
    assert [(entry["action"], entry["actor_kind"], entry["actor"]) for entry in entries] == [
        ("book", "service", "booking_handler"), ("read", "service", "messaging"), ("move", "staff", STAFF),
        ("confirm", "service", "messaging"), ("cancel", "service", "booking_handler"),
        ("read", "service", "booking_handler"),  # cancelling again changed nothing: it only read
    ]
    assert [entry["call_sid"] for entry in entries] == [CALL_SID, None, None, None, CALL_SID, None]
    assert all(entry["request_id"] and entry["appointment_id"] == booked["id"] for entry in entries)
    assert {entry["at"] for entry in entries} == {MONDAY_9AM_BOSTON.isoformat()}  # the services' clock

    on_record = str(raw_rows(engine, "SELECT * FROM appointment_audit"))
    for plain in (NAME, "Jane", ADDRESS, "5550123"):
        assert plain not in on_record


def test_a_call_is_on_record_under_its_call_sid(system):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    call.answer(digits="2")
    assert "is cancelled" in call.answer(digits="1").text
    book_entry, *call_entries = audit_of(system, booked["id"])
    assert (book_entry["action"], book_entry["actor"]) == ("book", "unknown")  # the test itself named no service
    assert [entry["action"] for entry in call_entries] == ["read", "cancel"]
    assert all(entry["call_sid"] == call.call_sid and entry["actor_kind"] == "service"
               and entry["actor"] in SERVICES for entry in call_entries)


def test_a_code_texted_about_an_appointment_is_on_record(system):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    stranger = system.phone(caller="+16175550199")
    stranger.start()
    stranger.answer(digits="2")
    stranger.answer(digits="6175550123")
    [_, texted] = audit_of(system, booked["id"])
    assert texted["action"] == "code_texted" and texted["call_sid"] == stranger.call_sid


def test_the_audit_of_an_unknown_appointment_is_404_and_needs_the_service_token_and_a_staff_name_fits(system):
    assert as_caller(system, "GET", "/calendly/appointments/999/audit", staff=STAFF).status_code == 404
    assert system.internal("GET", "/calendly/appointments/1/audit", token=None).status_code == 401
    too_long = as_caller(system, "POST", "/calendly/appointments/search", staff="x" * 201, json={"phone": CALLER})
    assert too_long.status_code == 422 and too_long.get_json()["error"] == "invalid_staff"


def test_postgres_refuses_to_change_or_remove_an_entry(system, engine):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    for statement in ("UPDATE appointment_audit SET actor = 'someone else'", "DELETE FROM appointment_audit"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    assert len(audit_of(system, booked["id"])) == 1


def test_sqlite_refuses_to_change_or_remove_an_entry(tmp_path):
    path = tmp_path / "audit.db"
    migrate(f"sqlite:///{path}")
    connection = sqlite3.connect(path)  # foreign keys off: an entry needs no appointment here
    connection.execute("INSERT INTO appointment_audit (appointment_id, at, action, actor_kind, actor) "
                       "VALUES (1, '2026-11-30 13:58:00', 'read', 'service', 'messaging')")
    connection.commit()
    for statement in ("UPDATE appointment_audit SET actor = 'someone else'", "DELETE FROM appointment_audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute(statement)
    assert connection.execute("SELECT actor FROM appointment_audit").fetchall() == [("messaging",)]
