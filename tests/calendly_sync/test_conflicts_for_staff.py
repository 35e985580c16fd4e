"""A Calendly booking that clashed with ours waits for staff: listed per clinic with its doctor and time
(no patient data), closed once with a note by the staff member named in X-Staff-User."""

from __future__ import annotations

from shared.settings import LOCAL_INTERNAL_TOKEN
from tests.calendly_sync.fake_calendly import webhook_body
from tests.calendly_sync.helpers import book, deliver, next_weekday_at
from tests.calendly_sync.test_webhooks import calendly_booking


def as_staff(system, path: str, body: dict, staff: str | None = "stf_1"):
    """POST to an internal API with the service token, naming a staff member."""
    headers = {"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}", **({"X-Staff-User": staff} if staff else {})}
    return system.http.post(path, json=body, headers=headers)


def test_a_conflict_is_listed_for_its_clinic_and_closed_once_with_a_note(calendly_system, fake_calendly):
    start = next_weekday_at(12)
    booked = book(calendly_system, start)
    invitee = calendly_booking(fake_calendly, start)
    assert deliver(calendly_system, webhook_body("invitee.created", invitee)).get_json()["outcome"] == "conflict"
    clinic_id = booked["clinic_id"]
    [conflict] = calendly_system.internal("GET", f"/calendly/conflicts?clinic_id={clinic_id}").get_json()
    assert (conflict["doctor"], conflict["doctor_id"]) == ("Dr. Sarah Chen", booked["doctor_id"])
    assert conflict["start"] == booked["start"] and conflict["handled_at"] is None
    assert "Grace" not in str(conflict) and "0177" not in str(conflict)
    assert calendly_system.internal("GET", f"/calendly/conflicts?clinic_id={clinic_id + 1}").get_json() == []

    done = f"/calendly/conflicts/{conflict['id']}/done"
    assert as_staff(calendly_system, done, {"clinic_id": clinic_id + 1, "note": "x"}).status_code == 404
    assert as_staff(calendly_system, done, {"clinic_id": clinic_id, "note": "x"}, staff=None).status_code == 422
    closed = as_staff(calendly_system, done, {"clinic_id": clinic_id, "note": "moved the Calendly one"})
    assert closed.status_code == 200 and closed.get_json()["handled_by"] == "stf_1"
    again = as_staff(calendly_system, done, {"clinic_id": clinic_id, "note": "second"}, staff="stf_2")
    assert again.get_json()["handled_note"] == "moved the Calendly one"
    assert calendly_system.internal("GET", f"/calendly/conflicts?clinic_id={clinic_id}").get_json() == []
    listed = calendly_system.internal("GET", f"/calendly/conflicts?clinic_id={clinic_id}&include_done=true").get_json()
    assert [item["handled_by"] for item in listed] == ["stf_1"]
