"""Review before apply, on real Postgres: a preview says what a schedule would change and changes
nothing; apply applies exactly that preview (409 once the schedule moved on), reject discards it;
every applied schedule is kept and can be restored; stranded appointments are kept and listed; and
an applied schedule reaches bookings and the phone within seconds."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from services.knowledge_base.appointments import BookedAppointments
from shared.service_client import ServiceCallError
from shared.settings import LOCAL_ADMIN_TOKEN, LOCAL_INTERNAL_TOKEN
from tests.conftest import CALLER, RIVERSIDE_NUMBER
from tools import make_sample_schedules as samples
from tools.phone import PhoneCall

MONDAY_9AM_BOSTON = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
STAFF = {"X-Staff-User": "front-desk@riverside.example"}
SPLIT_DAY = ["09:00-12:00", "13:00-17:00"]


@pytest.fixture(autouse=True)
def clock():
    """Monday 30 November 2026, 9 AM in Boston, ticking on."""
    with time_machine.travel(MONDAY_9AM_BOSTON, tick=True) as traveller:
        yield traveller


def schedule_pdf(rows: list[tuple[str, str, str, str]], *notes: str) -> bytes:
    """A Riverside schedule table (Doctor / Department / Days / Hours) with notes under it."""
    pdf = samples.SchedulePdf()
    pdf.add_page()
    pdf.title_line("Riverside Family Clinic - schedule update")
    pdf.schedule_table(rows)
    for note in notes:
        pdf.text_line(note)
    return pdf.to_bytes()


# Chen gets a lunch break and an unreadable Friday row, Okafor's name gains a hyphenated part, Nowak
# joins, Lopez is left out (removed with replace=true), and the clinic closes on Christmas Eve.
UPDATE = schedule_pdf([
    ("Dr. Sarah Chen", "General Practice", "Mon-Thu", "9:00-12:00, 13:00-17:00"),
    ("Dr. Sarah Chen", "General Practice", "Fri", "9ish until late"),
    ("Dr. James Okafor-Bello", "Pediatrics", "Mon, Wed & Fri", "8:00-12:00"),
    ("Dr. Anna Nowak", "Cardiology", "Tue & Thu", "13:00-18:00"),
], "Closed on December 24, 2026")
CHEN_SATURDAYS = schedule_pdf([("Dr. Sarah Chen", "General Practice", "Mon-Fri", "9:00-12:00, 13:00-17:00"),
                               ("Dr. Sarah Chen", "General Practice", "Sat", "9:00-12:00")])


def upload(kb, pdf: bytes, *, preview: bool = False, replace: bool = False, filename: str = "update.pdf"):
    """POST /kb/documents to Riverside as the staff console does."""
    data: dict[str, Any] = {"file": (io.BytesIO(pdf), filename), "clinic": "riverside",
                            "preview": "true" if preview else "false", "replace": "true" if replace else "false"}
    return kb.http.post("/kb/documents", data=data, content_type="multipart/form-data",
                        headers={"Authorization": f"Bearer {LOCAL_ADMIN_TOKEN}", **STAFF})


def staff(kb, method: str, path: str, **kwargs):
    """A staff-console call with the admin token."""
    return kb.http.open(path, method=method, headers={"Authorization": f"Bearer {LOCAL_ADMIN_TOKEN}", **STAFF},
                        **kwargs)


def internal(kb, method: str, path: str, **kwargs):
    """A call between services."""
    return kb.http.open(path, method=method, headers={"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"}, **kwargs)


def book(kb, doctor_id: int, start_utc: str) -> int:
    """Book through calendly; the appointment's id."""
    response = internal(kb, "POST", "/calendly/appointments", json={
        "doctor_id": doctor_id, "start": start_utc, "patient": {"name": "Jane Doe", "phone": CALLER}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def state(kb) -> list[tuple[int, str, bool, list[dict[str, str]]]]:
    """Every Riverside doctor as stored: id, name, active, weekly hours."""
    doctors = [internal(kb, "GET", f"/kb/doctors/{doctor_id}").get_json() for doctor_id in range(1, 20)]
    return [(doctor["id"], doctor["name"], doctor["active"], doctor["weekly_hours"]) for doctor in doctors
            if "id" in doctor and doctor["clinic_id"] == 1]


def hours_by_day(row: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    return {change["day"]: (change["before"], change["after"]) for change in row["hours"]}


@pytest.fixture
def booked(kb) -> dict[str, int]:
    """Appointments that the update would strand (Chen in her new lunch break, Lopez removed) and one it keeps."""
    return {"chen_lunch": book(kb, 1, "2026-12-01T17:00:00+00:00"),  # Tuesday 12:00 in Boston
            "lopez": book(kb, 3, "2026-12-01T19:00:00+00:00"),  # Tuesday 14:00
            "chen_friday": book(kb, 1, "2026-12-04T15:00:00+00:00")}  # Friday 10:00, a day the update cannot read


def test_a_preview_says_what_would_change_and_changes_nothing(kb, booked):
    before, version_before = state(kb), kb.get("/kb/clinics/riverside").get_json()["schedule_version"]
    response = upload(kb, UPDATE, preview=True, replace=True)
    assert response.status_code == 201, response.get_json()
    preview = response.get_json()
    assert preview["preview"] is True and preview["document"]["status"] == "pending_review"
    assert preview["document"]["uploaded_by"] == "front-desk@riverside.example"
    assert preview["base_version"] == version_before
    assert preview["summary"]["added"] == ["Dr. Anna Nowak"]
    assert preview["summary"]["removed"] == ["Dr. Maria Lopez"]
    assert preview["summary"]["renamed"] == [{"id": 2, "from": "Dr. James Okafor", "to": "Dr. James Okafor-Bello"}]
    chen = next(row for row in preview["doctors"] if row["name"] == "Dr. Sarah Chen")
    assert chen["change"] == "updated"
    assert hours_by_day(chen) == {day: (["09:00-17:00"], SPLIT_DAY) for day in ("mon", "tue", "wed", "thu")}
    # Friday's line could not be read: her Friday stays as it is, and the preview says so for her.
    assert chen["kept_days"] == ["fri"] and {"day": "fri", "start": "09:00", "end": "17:00"} in chen["weekly_hours"]
    assert [(line["doctor"], line["days"]) for line in chen["unread_lines"]] == [("Dr. Sarah Chen", ["fri"])]
    assert preview["doctors_with_unread_lines"] == ["Dr. Sarah Chen"]
    assert {(item["doctor"], item["start_date"]) for item in preview["new_exceptions"]} == {
        ("Dr. Sarah Chen", "2026-12-24"), ("Dr. James Okafor-Bello", "2026-12-24"), ("Dr. Anna Nowak", "2026-12-24")}
    assert [(item["appointment_id"], item["doctor"], item["reason"])
            for item in preview["appointments_outside_hours"]] \
        == [(booked["chen_lunch"], "Dr. Sarah Chen", "outside the doctor's new hours"),
            (booked["lopez"], "Dr. Maria Lopez", "doctor deactivated")]
    assert "Jane" not in str(preview) and CALLER not in str(preview)
    assert state(kb) == before
    assert kb.get("/kb/clinics/riverside").get_json()["schedule_version"] == version_before
    stored = staff(kb, "GET", f"/kb/documents/{preview['document']['id']}").get_json()
    assert stored["status"] == "pending_review" and stored["preview"]["summary"] == preview["summary"]


def test_apply_applies_exactly_the_preview_and_keeps_stranded_appointments(kb, booked):
    preview = upload(kb, UPDATE, preview=True, replace=True).get_json()
    response = staff(kb, "POST", f"/kb/documents/{preview['document']['id']}/apply")
    assert response.status_code == 200, response.get_json()
    applied = response.get_json()
    assert applied["document"]["status"] == "parsed"
    assert applied["document"]["reviewed_by"] == "front-desk@riverside.example"
    assert (applied["version"]["version"], applied["version"]["source"]) == (2, "upload")
    by_id = {doctor_id: (name, active, hours) for doctor_id, name, active, hours in state(kb)}
    assert by_id[2][:2] == ("Dr. James Okafor-Bello", True)
    assert by_id[3][:2] == ("Dr. Maria Lopez", False)
    assert [(name, active) for name, active, _ in by_id.values()][3:] == [("Dr. Anna Nowak", True)]
    chen_hours = [(rule["day"], f"{rule['start']}-{rule['end']}") for rule in by_id[1][2]]
    assert chen_hours == [(day, span) for day in ("mon", "tue", "wed", "thu") for span in SPLIT_DAY] + [
        ("fri", "09:00-17:00")]
    expected = [(booked["chen_lunch"], "outside the doctor's new hours"), (booked["lopez"], "doctor deactivated")]
    assert [(item["appointment_id"], item["reason"]) for item in applied["appointments_outside_hours"]] == expected
    stranded = staff(kb, "GET", "/kb/clinics/riverside/stranded-appointments").get_json()
    assert [(item["appointment_id"], item["reason"]) for item in stranded["appointments"]] == expected
    assert stranded["appointments"][0]["start_local"] == "2026-12-01T12:00:00-05:00"
    listed = internal(kb, "POST", "/calendly/appointments/search", json={"phone": CALLER}).get_json()
    assert {item["status"] for item in listed} == {"booked"}  # never cancelled by a schedule
    again = staff(kb, "POST", f"/kb/documents/{preview['document']['id']}/apply")
    assert (again.status_code, again.get_json()["error"]) == (409, "not_pending")


def test_reject_discards_a_preview(kb):
    before = state(kb)
    preview = upload(kb, UPDATE, preview=True).get_json()
    document_id = preview["document"]["id"]
    response = staff(kb, "POST", f"/kb/documents/{document_id}/reject")
    assert response.status_code == 200
    assert response.get_json()["document"]["status"] == "rejected"
    assert state(kb) == before
    for action in ("apply", "reject"):
        refused = staff(kb, "POST", f"/kb/documents/{document_id}/{action}")
        assert (refused.status_code, refused.get_json()["error"]) == (409, "not_pending")
    assert staff(kb, "POST", "/kb/documents/9999/apply").status_code == 404


def test_a_preview_made_before_the_schedule_changed_is_refused(kb):
    stale = upload(kb, UPDATE, preview=True).get_json()
    plain = upload(kb, CHEN_SATURDAYS, filename="saturdays.pdf")
    assert plain.status_code == 201
    response = staff(kb, "POST", f"/kb/documents/{stale['document']['id']}/apply")
    assert response.status_code == 409
    refusal = response.get_json()
    assert refusal["error"] == "schedule_changed" and refusal["base_version"] < refusal["schedule_version"]
    assert [name for _, name, active, _ in state(kb) if active] == ["Dr. Sarah Chen", "Dr. James Okafor",
                                                                    "Dr. Maria Lopez"]
    assert staff(kb, "GET", f"/kb/documents/{stale['document']['id']}").get_json()["status"] == "pending_review"


def test_every_applied_schedule_is_kept_and_an_earlier_one_restored_as_a_new_version(kb):
    original = state(kb)
    demo_document = kb.documents("riverside")[0]["id"]
    applied = upload(kb, UPDATE, replace=True).get_json()
    assert applied["version"]["version"] == 2 and state(kb) != original
    response = staff(kb, "POST", "/kb/clinics/riverside/schedule/restore", json={"document_id": demo_document})
    assert response.status_code == 201, response.get_json()
    restored = response.get_json()
    assert (restored["version"]["version"], restored["version"]["source"], restored["version"]["restored_from"]) == (
        3, "restore", 1)
    assert restored["summary"]["removed"] == ["Dr. Anna Nowak"]
    assert restored["summary"]["renamed"] == [{"id": 2, "from": "Dr. James Okafor-Bello", "to": "Dr. James Okafor"}]
    assert [(doctor_id, name, active, hours) for doctor_id, name, active, hours in state(kb) if doctor_id <= 3] == \
        original
    versions = staff(kb, "GET", "/kb/clinics/riverside/schedule/versions").get_json()["versions"]
    assert [(item["version"], item["source"], item["current"], item["created_by"]) for item in versions] == [
        (3, "restore", True, "front-desk@riverside.example"), (2, "upload", False, "front-desk@riverside.example"),
        (1, "upload", False, None)]
    same_again = staff(kb, "POST", "/kb/clinics/riverside/schedule/restore", json={"document_id": demo_document})
    assert same_again.status_code == 200 and same_again.get_json()["unchanged"] is True
    forward = staff(kb, "POST", "/kb/clinics/riverside/schedule/restore",
                    json={"document_id": applied["document"]["id"]})
    assert forward.status_code == 201 and forward.get_json()["version"]["version"] == 4
    unknown = staff(kb, "POST", "/kb/clinics/riverside/schedule/restore", json={"document_id": 9999})
    assert (unknown.status_code, unknown.get_json()["error"]) == (404, "version_not_found")


def test_uploading_an_earlier_file_again_applies_it_again(kb):
    demo = (samples.SAMPLES_DIR / "riverside.pdf").read_bytes()
    assert upload(kb, demo).status_code == 200  # it is the current schedule: nothing to do
    upload(kb, UPDATE, replace=True)
    again = upload(kb, demo, replace=True)
    assert again.status_code == 201 and again.get_json()["version"]["version"] == 3
    assert [name for _, name, active, _ in state(kb) if active] == ["Dr. Sarah Chen", "Dr. James Okafor",
                                                                    "Dr. Maria Lopez"]


def test_a_preview_says_so_when_calendly_cannot_answer(kb, monkeypatch):
    def unreachable(self, **_):
        raise ServiceCallError("calendly", "/calendly/booked-appointments", None, "ConnectionError")

    monkeypatch.setattr(BookedAppointments, "upcoming", unreachable)
    preview = upload(kb, UPDATE, preview=True).get_json()
    assert preview["appointments_outside_hours"] is None and "calendly" in preview["appointments_error"]
    stranded = staff(kb, "GET", "/kb/clinics/riverside/stranded-appointments")
    assert (stranded.status_code, stranded.get_json()["error"]) == (503, "calendly_unavailable")


def test_calendly_lists_booked_times_without_patient_data_a_page_at_a_time(kb, monkeypatch):
    from services.calendly import service as calendly_service

    ids = [book(kb, 1, f"2026-12-0{day}T15:00:00+00:00") for day in (1, 2, 3)]
    monkeypatch.setattr(calendly_service, "BOOKED_PAGE", 2)
    found = BookedAppointments(kb.app.apps["knowledge_base"].extensions["receptionist"].appointments.client) \
        .upcoming(doctor_ids=[1, 2], after=MONDAY_9AM_BOSTON)
    assert [item["id"] for item in found] == ids
    assert set(found[0]) == {"id", "doctor_id", "start", "end"}
    page = internal(kb, "GET", "/calendly/booked-appointments",
                    query_string={"doctor_ids": "1", "after": "2026-11-30T14:00:00+00:00"}).get_json()
    assert [item["id"] for item in page["appointments"]] == ids[:2] and page["next_after_id"] == ids[1]
    refused = kb.http.get("/calendly/booked-appointments",
                          query_string={"doctor_ids": "1", "after": "2026-11-30T14:00:00Z"})
    assert refused.status_code == 401


def test_a_booking_right_after_applying_sees_the_new_hours(kb):
    saturday_10am = "2026-12-05T15:00:00+00:00"
    assert internal(kb, "GET", "/calendly/availability", query_string={"doctor_id": 1}).status_code == 200
    refused = internal(kb, "POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": saturday_10am, "patient": {"name": "Jane Doe", "phone": CALLER}})
    assert refused.status_code == 422  # Chen does not work Saturdays yet, and calendly has her cached
    preview = upload(kb, CHEN_SATURDAYS, preview=True).get_json()
    assert staff(kb, "POST", f"/kb/documents/{preview['document']['id']}/apply").status_code == 200
    book(kb, 1, saturday_10am)
    lunch = internal(kb, "POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": "2026-12-01T17:00:00+00:00", "patient": {"name": "Jane Doe", "phone": CALLER}})
    assert lunch.status_code == 422  # Tuesday 12:00 is her new lunch break


def test_the_phone_and_the_slots_follow_an_applied_schedule_within_seconds(make_kb):
    kb = make_kb(schedule_freshness_seconds=1)

    def transport(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str, str]:
        response = kb.http.post(url, data=params, headers=headers)
        return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)

    def doctors_offered() -> str:
        call = PhoneCall(transport, "http://localhost", to=RIVERSIDE_NUMBER, caller=CALLER)
        call.start()
        reply = call.answer(digits="4")
        call.hang_up()
        return reply.text + str(reply.gather)

    def first_free_slot() -> str:
        query = {"doctor_id": 1, "from": "2026-12-01T05:00:00+00:00", "to": "2026-12-02T05:00:00+00:00",
                 "limit": 100}
        return [slot["start"] for slot in internal(kb, "GET", "/calendly/availability", query_string=query)
                .get_json()["slots"]]

    assert "Nowak" not in doctors_offered() and "2026-12-01T17:00:00+00:00" in first_free_slot()
    preview = upload(kb, UPDATE, preview=True).get_json()
    assert staff(kb, "POST", f"/kb/documents/{preview['document']['id']}/apply").status_code == 200
    time.sleep(1.1)  # one freshness interval: the caches of clinics and doctors stay warm until it passes
    assert "Nowak" in doctors_offered()
    assert "2026-12-01T17:00:00+00:00" not in first_free_slot()  # Tuesday 12:00, Chen's new lunch break


def test_a_staff_identity_longer_than_200_characters_is_refused(kb):
    response = kb.http.post("/kb/documents/1/reject", headers={"Authorization": f"Bearer {LOCAL_ADMIN_TOKEN}",
                                                               "X-Staff-User": "x" * 201})
    assert (response.status_code, response.get_json()["error"]) == (422, "invalid_staff")
    assert staff(kb, "GET", "/kb/documents/1").get_json()["status"] == "parsed"
