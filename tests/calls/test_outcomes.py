"""Every call ends with an outcome, steps and duration; status callbacks may repeat or arrive out of
order without reopening or changing a closed call; calls are listed and summarised per clinic day."""

from __future__ import annotations

from datetime import datetime

from tests.calls.conftest import recorded_call
from tests.conftest import HARBOR_NUMBER
from tests.walking_skeleton.test_booking_call import book_by_keypad


def test_hanging_up_mid_flow_is_hung_up_with_steps_and_duration(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    assert call.hang_up(duration=42) == 200
    row = recorded_call(system, call.call_sid)
    assert row["outcome"] == "hung_up" and row["duration_seconds"] == 42 and row["twilio_status"] == "completed"
    assert row["steps"] == ["greeting", "menu", "book", "doctor"]


def test_booked_outcome_survives_a_duplicate_completed_callback(system):
    call, reply = book_by_keypad(system, "Wednesday at 10am")
    assert reply.hung_up
    call.hang_up(duration=95)
    first = recorded_call(system, call.call_sid)
    system.clock.advance(seconds=30)
    assert call.hang_up(duration=130) == 200
    second = recorded_call(system, call.call_sid)
    assert first["outcome"] == second["outcome"] == "booked"
    assert (second["ended_at"], second["duration_seconds"]) == (first["ended_at"], 95)


def test_late_ringing_and_in_progress_do_not_reopen_a_call(system):
    call = system.phone()
    call.start()
    call.answer(digits="5")
    call.hang_up(status="completed", duration=20)
    closed = recorded_call(system, call.call_sid)
    for late in ("ringing", "in-progress", "busy"):
        assert call.hang_up(status=late, duration=0) == 200
    after = recorded_call(system, call.call_sid)
    assert after == closed
    assert after["outcome"] == "transferred" and after["twilio_status"] == "completed"


def test_early_statuses_leave_the_call_open_until_it_ends(system):
    call = system.phone()
    call.start()
    call.hang_up(status="ringing", duration=0)
    call.hang_up(status="in-progress", duration=0)
    open_row = recorded_call(system, call.call_sid)
    assert open_row["ended_at"] is None and open_row["outcome"] is None and open_row["twilio_status"] == "in-progress"
    call.answer(digits="1")
    system.clock.advance(seconds=75)
    post = call.post("/call-status", {"CallStatus": "completed"})
    assert post[0] == 200
    row = recorded_call(system, call.call_sid)
    assert row["outcome"] == "hung_up" and row["duration_seconds"] == 75


def test_status_for_an_unknown_call_is_harmless(system):
    call = system.phone()
    assert call.hang_up() == 200


def test_status_callback_must_be_signed(system):
    call = system.phone()
    call.start()
    response = system.http.post("/call-status", data={"CallSid": call.call_sid, "CallStatus": "completed"})
    assert response.status_code == 403
    assert recorded_call(system, call.call_sid)["ended_at"] is None


def _call_with_outcome(system, keys: list[str], when: str, to: str | None = None) -> str:
    system.clock.set(datetime.fromisoformat(when))
    call = system.phone(to=to) if to else system.phone()
    call.start()
    for key in keys:
        call.answer(digits=key)
    call.hang_up()
    return call.call_sid


def test_calls_are_listed_and_summarised_per_clinic_day(system):
    # Boston days: 22:30 EST on Nov 30 is already Dec 1 in UTC, and still counts for Nov 30
    transferred = _call_with_outcome(system, ["5"], "2026-11-30T15:00:00+00:00")
    hung_up = _call_with_outcome(system, ["1"], "2026-12-01T03:30:00+00:00")
    enquiry = _call_with_outcome(system, ["4", "1"], "2026-12-01T15:00:00+00:00")
    _call_with_outcome(system, ["5"], "2026-12-01T18:00:00+00:00", to=HARBOR_NUMBER)

    listed = system.internal("GET", "/twilio/calls",
                             query_string={"clinic": "riverside", "from": "2026-11-30", "to": "2026-12-01"})
    assert listed.status_code == 200
    calls = listed.get_json()["calls"]
    assert [(call["call_sid"], call["outcome"], call["local_date"]) for call in calls] == [
        (transferred, "transferred", "2026-11-30"), (hung_up, "hung_up", "2026-11-30"),
        (enquiry, "enquiry_only", "2026-12-01")]

    summary = system.internal("GET", "/twilio/calls/summary",
                              query_string={"clinic": "riverside", "from": "2026-11-30", "to": "2026-12-01"}).get_json()
    assert summary["days"] == [
        {"clinic": "riverside", "date": "2026-11-30", "total": 2, "outcomes": {"hung_up": 1, "transferred": 1}},
        {"clinic": "riverside", "date": "2026-12-01", "total": 1, "outcomes": {"enquiry_only": 1}},
    ]
    one_day = system.internal("GET", "/twilio/calls/summary",
                              query_string={"clinic": "harbor-dental", "from": "2026-12-01", "to": "2026-12-01"})
    assert one_day.get_json()["days"] == [
        {"clinic": "harbor-dental", "date": "2026-12-01", "total": 1, "outcomes": {"transferred": 1}}]


def test_calls_api_errors_and_auth(system):
    assert system.internal("GET", "/twilio/calls", query_string={"clinic": "riverside"}, token=None).status_code == 401
    missing = system.internal("GET", "/twilio/calls")
    assert missing.status_code == 422 and "clinic" in missing.get_json()["fields"]
    unknown = system.internal("GET", "/twilio/calls/summary", query_string={"clinic": "nowhere"})
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "clinic_not_found"
    backwards = system.internal("GET", "/twilio/calls",
                                query_string={"clinic": "riverside", "from": "2026-12-02", "to": "2026-12-01"})
    assert backwards.status_code == 422
    bad_date = system.internal("GET", "/twilio/calls", query_string={"clinic": "riverside", "from": "yesterday"})
    assert bad_date.status_code == 422 and "from" in bad_date.get_json()["fields"]
