"""Re-uploads: the same file changes nothing, doctors missing from a new file keep their schedule
unless replace=true, closures reach every doctor, and appointments are reported, never touched."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.calendly.models import Appointment
from shared.db import transaction
from tools import make_sample_schedules as samples

NEW_YORK = ZoneInfo("America/New_York")


def chen_only(hours: str = "Mon-Fri 10:00-16:00", extra: tuple[str, ...] = ()) -> bytes:
    """A one-doctor schedule for Riverside."""
    pdf = samples.SchedulePdf()
    pdf.add_page()
    pdf.title_line("Riverside Family Clinic — schedule update")
    pdf.schedule_table([("Dr. Sarah Chen", "General Practice", *hours.split(" ", 1))])
    for line in extra:
        pdf.text_line(line)
    return pdf.to_bytes()


def test_same_file_again_changes_nothing_and_says_so(kb):
    pdf = (samples.SAMPLES_DIR / "layout-table.pdf").read_bytes()
    first = kb.upload(pdf)
    doctors = kb.doctors()
    second = kb.upload(pdf)
    assert (first.status_code, second.status_code) == (201, 200)
    body = second.get_json()
    assert body["unchanged"] is True and "nothing changed" in body["message"]
    assert body["document"]["id"] == first.get_json()["document"]["id"]
    assert kb.doctors() == doctors
    assert len(kb.documents()) == 1


def test_a_doctor_missing_from_a_new_upload_keeps_their_schedule(kb):
    before = {doctor["name"]: doctor for doctor in kb.doctors("riverside")}
    answer = kb.upload(chen_only(), "riverside").get_json()
    assert [(doctor["name"], doctor["change"]) for doctor in answer["doctors"]] == [("Dr. Sarah Chen", "updated")]
    assert [doctor["name"] for doctor in answer["kept"]] == ["Dr. James Okafor", "Dr. Maria Lopez"]
    assert answer["deactivated"] == []
    after = {doctor["name"]: doctor for doctor in kb.doctors("riverside")}
    assert after["Dr. Sarah Chen"]["weekly_hours"][0] == {"day": "mon", "start": "10:00", "end": "16:00"}
    assert after["Dr. Sarah Chen"]["id"] == 1
    assert after["Dr. James Okafor"] == before["Dr. James Okafor"]
    assert after["Dr. Maria Lopez"] == before["Dr. Maria Lopez"]


def test_replace_deactivates_doctors_not_in_the_upload_and_a_later_upload_reactivates(kb):
    answer = kb.upload(chen_only(), "riverside", replace=True).get_json()
    assert [(doctor["name"], doctor["active"]) for doctor in answer["deactivated"]] == [
        ("Dr. James Okafor", False), ("Dr. Maria Lopez", False)]
    assert [doctor["name"] for doctor in kb.doctors("riverside")] == ["Dr. Sarah Chen"]
    okafor = kb.get("/kb/doctors/2").get_json()
    assert okafor["active"] is False and okafor["weekly_hours"]  # kept for the record
    again = kb.upload((samples.SAMPLES_DIR / "layout-weekday-sections.pdf").read_bytes(), "riverside").get_json()
    assert {doctor["name"]: doctor["change"] for doctor in again["doctors"]} == {
        "Dr. Sarah Chen": "updated", "Dr. James Okafor": "reactivated", "Dr. Maria Lopez": "reactivated"}
    assert [doctor["id"] for doctor in kb.doctors("riverside")] == [1, 2, 3]


def test_clinic_closure_applies_to_doctors_kept_from_earlier_uploads(kb):
    answer = kb.upload(chen_only(extra=("Closed on December 25, 2030",)), "riverside").get_json()
    closure = {"start_date": "2030-12-25", "end_date": "2030-12-25", "reason": "Closed on December 25, 2030"}
    assert answer["closures"] == [closure]
    assert all(doctor["exceptions"] == [closure] for doctor in kb.doctors("riverside"))


def test_leave_for_a_doctor_known_only_from_the_database(kb):
    answer = kb.upload(chen_only(extra=("Dr. Okafor on leave 3-7 March 2031",)), "riverside").get_json()
    okafor = kb.get("/kb/doctors/2").get_json()
    # Okafor is not in the document, so the leave is recorded against the stored doctor.
    assert {"start_date": "2031-03-03", "end_date": "2031-03-07",
            "reason": "Dr. Okafor on leave 3-7 March 2031"} in okafor["exceptions"]
    assert answer["warnings"] == []


def next_weekday(weekday: int) -> date:
    """The next given weekday (0 = Monday) after today in New York."""
    today = datetime.now(NEW_YORK).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def book(db_factory, doctor_id: int, day: date, at: time, status: str = "booked") -> int:
    """Insert a 30-minute Riverside appointment at a New York wall-clock time; its id."""
    start = datetime.combine(day, at, tzinfo=NEW_YORK).astimezone(UTC)
    with transaction(db_factory) as db:
        appointment = Appointment(clinic_id=1, doctor_id=doctor_id, patient_name="Jane Doe",
                                  patient_phone="+16175550123", starts_at=start, ends_at=start + timedelta(minutes=30),
                                  status=status)
        db.add(appointment)
        db.flush()
        return appointment.id


def test_appointments_outside_new_hours_are_reported_and_left_alone(kb, db_factory):
    monday = next_weekday(0)
    early = book(db_factory, 1, monday, time(9, 0))  # outside the new 10:00-16:00
    inside = book(db_factory, 1, monday, time(11, 0))
    book(db_factory, 1, monday, time(9, 30), status="cancelled")
    answer = kb.upload(chen_only(), "riverside").get_json()
    report = answer["appointments_outside_hours"]
    assert [(item["appointment_id"], item["doctor"], item["reason"]) for item in report] == [
        (early, "Dr. Sarah Chen", "outside the doctor's new hours")]
    assert "patient" not in str(report) and "Jane" not in str(report)
    with transaction(db_factory) as db:
        statuses = {appointment.id: appointment.status for appointment in db.query(Appointment)}
    assert statuses[early] == "booked" and statuses[inside] == "booked"


def test_appointments_of_deactivated_doctors_are_reported(kb, db_factory):
    wednesday = next_weekday(2)
    booked = book(db_factory, 2, wednesday, time(9, 0))
    answer = kb.upload(chen_only(), "riverside", replace=True).get_json()
    assert [(item["appointment_id"], item["reason"]) for item in answer["appointments_outside_hours"]] == [
        (booked, "doctor deactivated")]


def test_leave_over_a_booked_day_is_reported(kb, db_factory):
    monday = next_weekday(0)
    booked = book(db_factory, 1, monday, time(10, 0))
    leave = f"Dr. Chen on leave {monday.day} {monday:%B %Y}"
    answer = kb.upload(chen_only(extra=(leave,)), "riverside").get_json()
    assert [item["appointment_id"] for item in answer["appointments_outside_hours"]] == [booked]


def test_concurrent_uploads_of_one_file_apply_it_once(make_kb):
    from concurrent.futures import ThreadPoolExecutor

    pdf = (samples.SAMPLES_DIR / "layout-table.pdf").read_bytes()
    systems = [make_kb(), make_kb()]
    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(lambda kb: kb.upload(pdf), systems))
    assert sorted(response.status_code for response in responses) == [200, 201]
    assert len(systems[0].documents()) == 1 and len(systems[0].doctors()) == 5
