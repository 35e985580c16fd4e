"""The HTTP contract of /agent/interpret and /agent/validate, through the whole system and alone."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from services.receptionist_agent import create_app
from services.receptionist_agent.settings import ReceptionistAgentSettings
from shared.settings import LOCAL_INTERNAL_TOKEN

AUTH = {"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"}


@pytest.fixture
def agent() -> Client:
    """The receptionist_agent service on its own (it is stateless: no database needed)."""
    return Client(create_app(ReceptionistAgentSettings(environment="test")))


def test_interpret_needs_the_service_token(agent):
    body = {"kind": "yes_no", "text": "yes"}
    assert agent.post("/agent/interpret", json=body).status_code == 401
    assert agent.post("/agent/interpret", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert agent.post("/agent/validate", json={"name": "Jane Doe", "phone": "6175550123"}).status_code == 401


def test_interpret_datetime_contract_through_the_system(system):
    response = system.internal("POST", "/agent/interpret", json={
        "kind": "datetime", "text": "next Tuesday at 3pm", "timezone": "America/New_York",
        "now": "2026-11-22T15:04:00-05:00"})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["value"] == "2026-11-24T15:00:00-05:00"
    assert 0.0 <= answer["confidence"] <= 1.0


def test_interpret_doctor_as_booking_handler_sends_it(system):
    """The booking conversation sends kind, text, timezone and the clinic's doctors; it reads "value"."""
    doctors = system.internal("GET", "/kb/clinics/riverside/doctors").get_json()
    doctors = doctors.get("doctors", doctors) if isinstance(doctors, dict) else doctors
    body = {"kind": "doctor", "text": "doctor oak afar", "timezone": "America/New_York",
            "doctors": [{"id": doctor["id"], "name": doctor["name"], "aliases": doctor.get("aliases", [])}
                        for doctor in doctors]}
    answer = system.internal("POST", "/agent/interpret", json=body).get_json()
    okafor = next(doctor for doctor in doctors if "Okafor" in doctor["name"])
    assert answer["value"] == okafor["id"]


def test_interpret_intent_as_the_menu_sends_it(agent):
    answer = agent.post("/agent/interpret", json={"kind": "intent", "text": "let me talk to a person"}, headers=AUTH)
    assert answer.get_json()["value"] == "staff"


def test_unknown_answer_has_null_value_and_reason(agent):
    answer = agent.post("/agent/interpret", json={"kind": "datetime", "text": "purple", "timezone": "UTC"},
                        headers=AUTH).get_json()
    assert answer == {"value": None, "reason": "no date or time recognised"}


def test_phone_region_defaults_to_the_clinic_country(agent):
    body = {"kind": "phone", "text": "oh seven nine one one one two three four five six"}
    assert agent.post("/agent/interpret", json=body, headers=AUTH).get_json()["value"] is None
    uk = agent.post("/agent/interpret", json={**body, "region": "GB"}, headers=AUTH).get_json()
    assert uk["value"] == "+447911123456"
    british = Client(create_app(ReceptionistAgentSettings(environment="test", default_region="GB")))
    assert british.post("/agent/interpret", json=body, headers=AUTH).get_json()["value"] == "+447911123456"


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "weather", "text": "sunny"}, "kind"),
    ({"kind": "datetime", "text": "tomorrow", "timezone": "Mars/Olympus"}, "timezone"),
    ({"kind": "datetime", "text": "tomorrow", "now": "2026-11-22T15:04:00"}, "now"),
    ({"kind": "doctor", "text": "chen", "doctors": [{"name": "Dr. Chen"}]}, "doctors.0.id"),
    ({"kind": "yes_no"}, "text"),
])
def test_bad_interpret_bodies_get_422_per_field(agent, body, field):
    response = agent.post("/agent/interpret", json=body, headers=AUTH)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_validate_normalises_guest_details(system):
    response = system.internal("POST", "/agent/validate", json={
        "name": "  jane   o'brien ", "phone": "(617) 555-0123", "email": " Jane@Example.COM ",
        "address": " 12  Main Street,  Boston ", "purpose": "  annual   checkup "})
    assert response.status_code == 200
    assert response.get_json() == {"name": "Jane O'Brien", "phone": "+16175550123", "email": "jane@example.com",
                                   "address": "12 Main Street, Boston", "purpose": "annual checkup"}


def test_validate_keeps_deliberate_capitals(agent):
    response = agent.post("/agent/validate", json={"name": "DeShawn McAllister", "phone": "+16175550123"}, headers=AUTH)
    assert response.get_json()["name"] == "DeShawn McAllister"


def test_validate_answers_422_with_a_message_per_field(agent):
    response = agent.post("/agent/validate", json={
        "name": "4", "phone": "555", "email": "not-an-email", "address": "12"}, headers=AUTH)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_guest_details"
    assert body["fields"] == {
        "name": "a name needs at least two letters",
        "phone": "not a valid phone number (region US)",
        "email": "not an e-mail address",
        "address": "an address needs a street or place name",
    }
    assert "name: a name needs at least two letters" in body["message"]


def test_validate_requires_name_and_phone(agent):
    response = agent.post("/agent/validate", json={}, headers=AUTH)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"name": "is required", "phone": "is required"}


def test_validate_rejects_a_body_that_is_not_an_object(agent):
    response = agent.post("/agent/validate", data="nonsense", content_type="application/json", headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_json"
