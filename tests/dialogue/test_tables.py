"""The shape of the engine: one typed session that reads what the previous release stored, step tables
whose routes are the route table's Twilio routes, one name per step, every prompt in the catalogue."""

from __future__ import annotations

from datetime import datetime

from shared.call_session import SCHEMA_VERSION, CallSession
from shared.dialogue.engine import Accepts
from shared.dialogue.runner import FLOWS, LEGACY_ENTRIES, LEGACY_STEPS, STEP_BY_ROUTE, STEPS
from shared.prompts import PROMPTS
from shared.routes import ROUTES, Exposure

CALL_SERVICES = ("twilio_handler", "intent_handler", "booking_handler")
CLINIC = {"id": 1, "slug": "riverside", "name": "Riverside Family Clinic", "timezone": "America/New_York",
          "staff_number": "+16175550199", "greeting": None, "options": {}}


def test_a_session_of_the_previous_release_still_loads():
    stored = {  # exactly what release one wrote to Redis in the middle of a reschedule
        "call_sid": "CA1", "clinic": CLINIC, "caller": "+16175550123",
        "steps": ["greeting", "menu", "menu:reschedule", "reschedule"], "failures": {"new_time": 1},
        "booking": {}, "outcome": None,
        "manage": {"action": "reschedule", "appointments": [
            {"id": 7, "doctor_id": 1, "doctor": "Dr. Sarah Chen", "start": "2026-12-02T15:00:00+00:00"}],
            "chosen": {"id": 7, "doctor_id": 1, "doctor": "Dr. Sarah Chen", "start": "2026-12-02T15:00:00+00:00"},
            "offered": ["2026-12-03T18:00:00+00:00", "2026-12-03T18:30:00+00:00"]},
    }
    session = CallSession.load(stored)
    assert session.schema_version == SCHEMA_VERSION and session.flow == "reschedule"
    assert session.request.appointment.id == 7 and session.request.doctor_id == 1
    assert [slot.start for slot in session.offered] == [datetime.fromisoformat("2026-12-03T18:00:00+00:00"),
                                                        datetime.fromisoformat("2026-12-03T18:30:00+00:00")]
    assert session.offered[0].doctor_name == "Dr. Sarah Chen" and session.failures == {"new_time": 1}


def test_a_booking_of_the_previous_release_keeps_its_details():
    stored = {"call_sid": "CA2", "clinic": CLINIC, "caller": "+16175550123", "steps": ["greeting"], "failures": {},
              "booking": {"doctor_id": 1, "doctor_name": "Dr. Sarah Chen", "start": "2026-12-01T15:00:00+00:00",
                          "name": "Jane Doe", "phone": "+16175550123"},
              "outcome": None, "caller_id_unusable": True}
    session = CallSession.load(stored)
    assert (session.flow, session.request.name, session.request.phone) == ("book", "Jane Doe", "+16175550123")
    assert session.caller_id_unusable and session.clinic.country == "US"


def test_a_session_survives_its_own_round_trip():
    session = CallSession.load({"call_sid": "CA3", "clinic": CLINIC})
    session.request.wanted = datetime.fromisoformat("2026-12-01T15:00:00+00:00")
    assert CallSession.load(session.dump()) == session


def test_every_step_has_one_name_and_one_route_served_by_a_call_service():
    twilio_routes = {route.path: route for route in ROUTES if route.exposure is Exposure.TWILIO}
    routes = [step.route for step in STEPS.values()]
    assert len(routes) == len(set(routes)) == len(STEPS)
    for step in STEPS.values():
        assert step.route in twilio_routes, step.name
        assert twilio_routes[step.route].service in CALL_SERVICES
    served = set(routes) | set(LEGACY_STEPS) | set(LEGACY_ENTRIES)
    owned = {path for path, route in twilio_routes.items() if route.service in ("intent_handler", "booking_handler")}
    assert owned <= served, owned - served


def test_flows_ask_each_step_once_and_name_themselves():
    for name, flow in FLOWS.items():
        assert flow.name == name
        names = [step.name for step in flow.steps]
        assert len(names) == len(set(names)), name
    assert set(STEP_BY_ROUTE) == {step.route for step in STEPS.values()}


def test_key_questions_take_a_fixed_number_of_keys_or_finish_with_pound():
    """A fixed count (one key, six code digits) answers at once; numbers of any length end with #."""
    for step in STEPS.values():
        if step.accepts is Accepts.SPEECH:
            continue
        assert (step.num_digits is not None) != (step.finish_on_key == "#"), step.name


def test_every_prompt_renders_and_patient_data_prompts_are_marked():
    fields = {"clinic": "C", "choices": "1 for Dr. A", "keys": "1", "doctor": "Dr. A", "department": "D",
              "days": 60, "minutes": 30, "options": "1, 9 AM", "name": "N", "last4": "0 1 2 3", "when": "today at 9 AM",
              "count": 2, "verb": "cancel", "appointment": "Dr. A, today at 9 AM", "old": "x", "new": "y",
              "who": "Dr. A", "when_open": "soon", "number": "911"}
    for key in PROMPTS.keys():
        spoken = PROMPTS.render(key, **fields)
        assert "{" not in spoken.text, key
        assert spoken.patient_data == ("{last4}" in PROMPTS.prompt(key).text or "{name}" in PROMPTS.prompt(key).text)
