"""One-time codes through calendly's internal API: texted once (through messaging) only to a number with
upcoming appointments, the same answer either way, right, wrong, expired, reused, tried too often,
another call's code, and the limits per number and per caller."""

from __future__ import annotations

import re

from tests.calls.conftest import book, texts

PATIENT = "+16175550177"


def start(system, phone: str = PATIENT, caller: str = "+16175550999", call_sid: str = "CA" + "1" * 32,
          purpose: str = "appointments"):
    return system.internal("POST", "/calendly/verifications", json={
        "clinic_id": 1, "clinic_name": "Riverside Family Clinic", "purpose": purpose, "phone": phone,
        "caller": caller, "call_sid": call_sid})


def check(system, verification_id: int, code: str, call_sid: str = "CA" + "1" * 32):
    return system.internal("POST", f"/calendly/verifications/{verification_id}/check",
                           json={"code": code, "call_sid": call_sid})


def texted_code(system, phone: str = PATIENT) -> str:
    [text] = [item for item in texts(system, phone) if item["kind"] == "verification_code"][-1:]
    assert "Dr." not in text["body"] and "Riverside Family Clinic: your code is" in text["body"]
    return re.search(r"\d{6}", text["body"]).group(0)


def test_the_right_code_verifies_once(system):
    book(system, "Dr. Sarah Chen", "2026-12-02T15:00:00+00:00", phone=PATIENT)
    started = start(system)
    assert started.status_code == 201
    code = texted_code(system)
    verified = check(system, started.get_json()["id"], code)
    assert verified.status_code == 200 and verified.get_json() == {"verified": True, "phone": PATIENT}
    reused = check(system, started.get_json()["id"], code)
    assert reused.status_code == 409 and reused.get_json()["error"] == "already_used"


def test_a_number_without_appointments_gets_the_same_answer_and_no_text(system):
    started = start(system)
    assert started.status_code == 201 and set(started.get_json()) == {"id", "expires_at"}
    assert texts(system, PATIENT) == []
    wrong = check(system, started.get_json()["id"], "123456")
    assert wrong.status_code == 422 and wrong.get_json()["error"] == "wrong_code"


def test_a_code_for_a_booking_is_texted_to_any_number(system):
    started = start(system, purpose="booking")
    assert started.status_code == 201
    assert check(system, started.get_json()["id"], texted_code(system)).status_code == 200


def test_booking_limits_per_number_and_per_call(system):
    for index, day in enumerate(("02", "03", "04")):
        booked = system.internal("POST", "/calendly/appointments", json={
            "doctor_id": 1, "start": f"2026-12-{day}T15:00:00+00:00", "call_sid": f"CA{index:032d}",
            "patient": {"name": "Jane Doe", "phone": PATIENT}})
        assert booked.status_code == 201
    fourth = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": "2026-12-07T15:00:00+00:00", "patient": {"name": "Jane Doe", "phone": PATIENT}})
    assert fourth.status_code == 409 and fourth.get_json()["error"] == "phone_limit"
    second_in_call = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": "2026-12-07T15:00:00+00:00", "call_sid": f"CA{0:032d}",
        "patient": {"name": "Joe Bloggs", "phone": "+16175550150"}})
    assert second_in_call.status_code == 409 and second_in_call.get_json()["error"] == "call_limit"
    retried = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": "2026-12-02T15:00:00+00:00", "call_sid": f"CA{0:032d}",
        "patient": {"name": "Jane Doe", "phone": PATIENT}})
    assert retried.status_code == 200, "a retry of the call's own booking is not a second booking"


def test_wrong_codes_use_up_the_tries(system):
    book(system, "Dr. Sarah Chen", "2026-12-02T15:00:00+00:00", phone=PATIENT)
    verification_id = start(system).get_json()["id"]
    code = texted_code(system)
    wrong = "000000" if code != "000000" else "111111"
    assert [check(system, verification_id, wrong).get_json()["tries_left"] for _ in range(3)] == [2, 1, 0]
    spent = check(system, verification_id, code)
    assert spent.status_code == 429 and spent.get_json()["error"] == "too_many_tries"


def test_an_expired_code_is_refused(system):
    book(system, "Dr. Sarah Chen", "2026-12-02T15:00:00+00:00", phone=PATIENT)
    verification_id = start(system).get_json()["id"]
    system.clock.advance(minutes=10)
    expired = check(system, verification_id, texted_code(system))
    assert expired.status_code == 410 and expired.get_json()["error"] == "expired"


def test_another_calls_code_is_not_found(system):
    book(system, "Dr. Sarah Chen", "2026-12-02T15:00:00+00:00", phone=PATIENT)
    verification_id = start(system).get_json()["id"]
    other = check(system, verification_id, texted_code(system), call_sid="CA" + "2" * 32)
    assert other.status_code == 404


def test_codes_are_limited_per_number_and_per_caller(system):
    book(system, "Dr. Sarah Chen", "2026-12-02T15:00:00+00:00", phone=PATIENT)
    assert [start(system, caller=f"+1617555100{index}").status_code for index in range(4)] == [201, 201, 201, 429]
    assert len([item for item in texts(system, PATIENT) if item["kind"] == "verification_code"]) == 3
    assert [start(system, phone=f"+1617555200{index}", caller="Anonymous").status_code
            for index in range(6)] == [201, 201, 201, 201, 201, 429]
    system.clock.advance(hours=1, minutes=1)
    assert start(system, caller="+16175551009").status_code == 201


def test_bad_requests_are_json_errors(system):
    assert system.internal("POST", "/calendly/verifications", json={"phone": "12"}).status_code == 422
    assert check(system, 99, "12ab").status_code == 422
    assert system.internal("POST", "/calendly/verifications", token=None, json={}).status_code == 401
