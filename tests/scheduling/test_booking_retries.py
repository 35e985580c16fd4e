"""A Twilio retry of the confirming turn books nothing twice: the same call asking for the same slot
gets its earlier booking back (200, not 201), and only that exact request does; an appointment that
took place (completed, no-show) cannot be cancelled, a repeated cancel is audited as a read, and a
clinic's own limit of upcoming appointments per number applies."""

from __future__ import annotations

from tests.calls.conftest import doctor_id, texts

WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"
WEDNESDAY_11AM = "2026-12-02T16:00:00+00:00"


def post(system, start: str, call_sid: str | None, doctor: str = "Dr. Sarah Chen", phone: str = "+16175550123"):
    return system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, doctor), "start": start, "call_sid": call_sid,
        "patient": {"name": "Jane Doe", "phone": phone}})


def test_the_same_call_asking_again_gets_its_booking_back_once(system, clock):
    first = post(system, WEDNESDAY_10AM, "CA" + "7" * 32)
    again = post(system, WEDNESDAY_10AM, "CA" + "7" * 32)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation"], "one text, not two"


def test_only_the_same_call_slot_and_doctor_count_as_a_retry(system, clock):
    booked = post(system, WEDNESDAY_10AM, "CA" + "8" * 32)
    assert booked.status_code == 201
    assert post(system, WEDNESDAY_10AM, "CA" + "9" * 32, phone="+16175550155").status_code == 409
    assert post(system, WEDNESDAY_10AM, "CA" + "8" * 32, doctor="Dr. Maria Lopez").status_code == 422  # not hers
    assert post(system, WEDNESDAY_11AM, "CA" + "8" * 32).status_code == 409
    cancelled = system.internal("POST", f"/calendly/appointments/{booked.get_json()['id']}/cancel")
    assert cancelled.status_code == 200
    rebooked = post(system, WEDNESDAY_10AM, "CA" + "8" * 32)
    assert rebooked.status_code == 201 and rebooked.get_json()["id"] != booked.get_json()["id"]


def test_an_appointment_that_took_place_cannot_be_cancelled(system, clock, db_factory):
    from sqlalchemy import update

    from services.calendly.models import Appointment
    from shared.db import transaction

    booked = post(system, WEDNESDAY_10AM, None).get_json()
    for status in ("completed", "no_show"):
        with transaction(db_factory) as db:
            db.execute(update(Appointment).where(Appointment.id == booked["id"]).values(status=status))
        refused = system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel")
        assert refused.status_code == 409 and refused.get_json()["error"] == "not_booked"


def test_a_repeated_cancel_is_audited_as_a_read_not_a_second_cancel(system, clock):
    booked = post(system, WEDNESDAY_10AM, None).get_json()
    for _ in range(2):
        assert system.internal("POST", f"/calendly/appointments/{booked['id']}/cancel").status_code == 200
    audit = system.internal("GET", f"/calendly/appointments/{booked['id']}/audit").get_json()
    actions = [entry["action"] for entry in audit["entries"]]
    assert actions.count("cancel") == 1 and actions[-1] == "read", actions


def test_a_clinic_sets_its_own_limit_of_upcoming_appointments_per_number(system, clock, db_factory):
    from sqlalchemy import update

    from services.knowledge_base.models import Clinic
    from shared.db import transaction

    with transaction(db_factory) as db:
        db.execute(update(Clinic).where(Clinic.slug == "riverside").values(options={"max_upcoming_per_phone": 1}))
    assert post(system, WEDNESDAY_10AM, None).status_code == 201
    second = post(system, WEDNESDAY_11AM, None)
    assert second.status_code == 409 and second.get_json()["error"] == "phone_limit"
