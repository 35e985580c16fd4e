"""The calendly internal API on real Postgres: availability on DST days, lead time and horizon, and
cancel / reschedule with their errors; a reschedule that loses a race (also a deadlock on the overlap
check) leaves the old booking as it was."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.test import Client

from services.calendly.models import Appointment
from services.knowledge_base.models import Doctor
from shared.db import transaction
from shared.settings import LOCAL_INTERNAL_TOKEN
from tests.calls.conftest import appointments, book, doctor_id, texts

WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"
WEDNESDAY_11AM = "2026-12-02T16:00:00+00:00"
THURSDAY_2PM = "2026-12-03T19:00:00+00:00"
OVERNIGHT_SUNDAYS = [{"day": "sun", "start": "00:00", "end": "04:00"}]


def give_hours(db_factory, name: str, hours) -> None:
    """Replace a doctor's weekly hours."""
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.name == name).values(weekly_hours=hours))


def free(system, doctor: str, **query):
    """The free slot starts calendly offers for a doctor."""
    response = system.internal("GET", "/calendly/availability",
                               query_string={"doctor_id": doctor_id(system, doctor), **query})
    assert response.status_code == 200, response.get_json()
    return [slot["start"] for slot in response.get_json()["slots"]]


def reschedule(system, appointment_id: int, start: str):
    """POST a reschedule."""
    return system.internal("POST", f"/calendly/appointments/{appointment_id}/reschedule", json={"start": start})


def test_spring_forward_sunday_through_the_api(system, clock, db_factory):
    clock.set(datetime.fromisoformat("2026-03-01T12:00:00+00:00"))
    give_hours(db_factory, "Dr. Sarah Chen", OVERNIGHT_SUNDAYS)
    starts = free(system, "Dr. Sarah Chen", **{"from": "2026-03-08T00:00:00-05:00", "to": "2026-03-09T00:00:00-04:00",
                                               "limit": 100})
    assert starts == ["2026-03-08T05:00:00+00:00", "2026-03-08T05:30:00+00:00", "2026-03-08T06:00:00+00:00",
                      "2026-03-08T06:30:00+00:00", "2026-03-08T07:00:00+00:00", "2026-03-08T07:30:00+00:00"]
    booked = book(system, "Dr. Sarah Chen", "2026-03-08T07:00:00+00:00")  # 3 AM EDT, right after the gap
    assert booked["end"] == "2026-03-08T07:30:00+00:00"
    assert "2026-03-08T07:00:00+00:00" not in free(system, "Dr. Sarah Chen", **{"from": "2026-03-08T00:00:00-05:00",
                                                                                "limit": 100})
    sms = texts(system)[0]["body"]
    assert "Sunday, March 8th at 3 AM" in sms


def test_fall_back_sunday_offers_and_books_both_one_o_clocks(system, clock, db_factory):
    clock.set(datetime.fromisoformat("2026-10-25T12:00:00+00:00"))
    give_hours(db_factory, "Dr. Sarah Chen", OVERNIGHT_SUNDAYS)
    starts = free(system, "Dr. Sarah Chen", **{"from": "2026-11-01T00:00:00-04:00", "to": "2026-11-02T00:00:00-05:00",
                                               "limit": 100})
    assert len(starts) == len(set(starts)) == 10
    assert {"2026-11-01T05:00:00+00:00", "2026-11-01T06:00:00+00:00"} <= set(starts)  # 1 AM EDT and 1 AM EST
    first = book(system, "Dr. Sarah Chen", "2026-11-01T05:00:00+00:00")
    second = book(system, "Dr. Sarah Chen", "2026-11-01T06:00:00+00:00", phone="+16175550188")
    assert first["id"] != second["id"]
    assert (first["end"], second["end"]) == ("2026-11-01T05:30:00+00:00", "2026-11-01T06:30:00+00:00")


def test_lead_time_and_horizon_through_the_api(system, clock):
    starts = free(system, "Dr. Sarah Chen", limit=1)
    assert starts == ["2026-11-30T16:00:00+00:00"]  # 11 AM: the first slot two hours from 8:58
    too_soon = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, "Dr. Sarah Chen"), "start": "2026-11-30T15:30:00+00:00",
        "patient": {"name": "Jane Doe", "phone": "+16175550123"}})
    assert too_soon.status_code == 422 and "notice" in too_soon.get_json()["message"]

    window = free(system, "Dr. Sarah Chen", **{"from": "2026-11-30T14:00:00+00:00", "to": "2027-03-01T00:00:00+00:00",
                                               "limit": 100})
    assert len(window) == 100
    last = free(system, "Dr. Sarah Chen", **{"from": "2027-01-25T00:00:00+00:00", "to": "2027-03-01T00:00:00+00:00",
                                             "limit": 100})[-1]
    assert last == "2027-01-28T21:30:00+00:00"  # Thursday 4:30 PM; Friday 9 AM is past 60 days from 8:58
    too_far = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, "Dr. Sarah Chen"), "start": "2027-01-29T14:00:00+00:00",
        "patient": {"name": "Jane Doe", "phone": "+16175550123"}})
    assert too_far.status_code == 422 and "60 days" in too_far.get_json()["message"]


def test_cancelling_twice_is_harmless_and_the_slot_is_offered_again(system, clock):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    response = system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel",
                               json={"reason": "feeling better"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["version"]) == ("cancelled", 2)
    again = system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel")
    assert again.status_code == 200, "cancelling twice is harmless (a retried hand-off)"
    assert (again.get_json()["status"], again.get_json()["version"]) == ("cancelled", 2)
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation", "cancellation"]
    assert WEDNESDAY_10AM in free(system, "Dr. Sarah Chen", **{"from": WEDNESDAY_10AM, "limit": 1})


def test_a_cancelled_slot_can_be_booked_again_and_then_not_twice(system, clock, db_factory):
    first = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    assert system.internal("POST", f"/calendly/appointments/{first['id']}/cancel").status_code == 200
    second = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM, phone="+16175550155", name="Ada Lovelace")
    assert second["id"] != first["id"] and second["start"] == WEDNESDAY_10AM
    third = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, "Dr. Sarah Chen"), "start": WEDNESDAY_10AM,
        "patient": {"name": "Grace Hopper", "phone": "+16175550166"}})
    assert third.status_code == 409


def test_the_database_itself_lets_a_cancelled_row_share_its_slot(system, db_factory):
    """Below the API: the exclusion constraint covers booked rows only (a cancelled row must not block)."""
    from sqlalchemy.exc import IntegrityError

    first = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    with transaction(db_factory) as db:
        db.execute(update(Appointment).where(Appointment.id == first["id"]).values(status="cancelled"))
    with transaction(db_factory) as db:
        row = db.get(Appointment, first["id"])
        copy = {column.key: getattr(row, column.key) for column in Appointment.__table__.columns
                if column.key not in ("id",)}
    for status in ("cancelled", "booked"):
        with transaction(db_factory) as db:
            db.add(Appointment(**{**copy, "status": status, "call_sid": None}))
    with pytest.raises(IntegrityError, match="appointments_no_overlap"), transaction(db_factory) as db:
        db.add(Appointment(**{**copy, "status": "booked", "call_sid": None}))


def test_cancel_errors(system, clock):
    assert system.internal("POST", "/calendly/appointments/999/cancel").status_code == 404
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    bad = system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel", json={"reason": ["no"]})
    assert bad.status_code == 422 and "reason" in bad.get_json()["fields"]
    assert system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel", token=None).status_code == 401
    assert appointments(system)[0]["status"] == "booked"


def test_reschedule_moves_frees_the_old_slot_and_texts(system, clock):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    response = reschedule(system, booked["id"], "2026-12-03T14:00:00-05:00")
    assert response.status_code == 200
    moved = response.get_json()
    assert (moved["id"], moved["start"], moved["end"], moved["version"]) == (
        booked["id"], THURSDAY_2PM, "2026-12-03T19:30:00+00:00", 2)
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation", "reschedule"]
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM, phone="+16175550188")  # the old slot is free again

    same = reschedule(system, booked["id"], THURSDAY_2PM)
    assert same.status_code == 200 and same.get_json()["version"] == 2
    assert len(texts(system)) == 2


def test_reschedule_errors_leave_the_booking_untouched(system, clock):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    book(system, "Dr. Sarah Chen", THURSDAY_2PM, phone="+16175550188")
    assert reschedule(system, 999, THURSDAY_2PM).status_code == 404
    taken = reschedule(system, booked["id"], THURSDAY_2PM)
    assert taken.status_code == 409 and taken.get_json()["error"] == "slot_taken"
    for start, words in (("2026-11-29T15:00:00+00:00", "past"), ("2026-12-02T15:15:00+00:00", "grid"),
                         ("2026-12-05T15:00:00+00:00", "does not work")):
        response = reschedule(system, booked["id"], start)
        assert response.status_code == 422 and words in response.get_json()["message"], response.get_json()
    naive = reschedule(system, booked["id"], "2026-12-03T14:00:00")
    assert naive.status_code == 422 and "start" in naive.get_json()["fields"]
    mine = next(item for item in appointments(system) if item["id"] == booked["id"])
    assert (mine["start"], mine["status"], mine["version"]) == (WEDNESDAY_10AM, "booked", 1)
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation"]

    system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel")
    cancelled = reschedule(system, booked["id"], "2026-12-04T15:00:00+00:00")
    assert cancelled.status_code == 409 and cancelled.get_json()["error"] == "not_booked"


def test_two_concurrent_moves_into_one_slot_one_wins(system, clock):
    first = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    second = book(system, "Dr. Sarah Chen", WEDNESDAY_11AM, phone="+16175550188")
    barrier = threading.Barrier(2)
    statuses: dict[int, int] = {}

    def move(appointment_id: int) -> None:
        client = Client(system.app)
        barrier.wait()
        response = client.post(f"/calendly/appointments/{appointment_id}/reschedule", json={"start": THURSDAY_2PM},
                               headers={"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"})
        statuses[appointment_id] = response.status_code

    threads = [threading.Thread(target=move, args=(item["id"],)) for item in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses.values()) == [200, 409]
    loser = next(key for key, status in statuses.items() if status == 409)
    everything = appointments(system) + appointments(system, "+16175550188")
    starts = {item["id"]: item["start"] for item in everything}
    assert starts[loser] == (WEDNESDAY_10AM if loser == first["id"] else WEDNESDAY_11AM)
    assert sorted(starts.values()).count(THURSDAY_2PM) == 1


class _DeadlockDetected(Exception):
    """What psycopg2 raises when Postgres ends a deadlock by failing this transaction."""

    pgcode = "40P01"


def _deadlock_on_flush_of_appointments(monkeypatch) -> None:
    """The next flush that writes an appointment fails as the loser of a deadlock on the overlap check
    (two bookings of one slot, each waiting on the other's check; seen under load, not reproducible)."""
    flush = Session.flush

    def deadlocked(session, *args, **kwargs):
        if any(isinstance(item, Appointment) for item in [*session.new, *session.dirty]):
            monkeypatch.setattr(Session, "flush", flush)
            raise OperationalError("UPDATE appointments ...", {}, _DeadlockDetected("deadlock detected"))
        return flush(session, *args, **kwargs)

    monkeypatch.setattr(Session, "flush", deadlocked)


def test_a_booking_or_move_that_loses_a_deadlock_is_a_clean_409(system, clock, monkeypatch):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    _deadlock_on_flush_of_appointments(monkeypatch)
    moved = reschedule(system, booked["id"], THURSDAY_2PM)
    assert moved.status_code == 409 and moved.get_json()["error"] == "slot_taken"
    _deadlock_on_flush_of_appointments(monkeypatch)
    second = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, "Dr. Sarah Chen"), "start": THURSDAY_2PM,
        "patient": {"name": "Jane Doe", "phone": "+16175550188"}})
    assert second.status_code == 409 and second.get_json()["error"] == "slot_taken"
    [mine] = appointments(system)
    assert (mine["start"], mine["version"]) == (WEDNESDAY_10AM, 1)
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation"]
