"""The greeting and the main menu: every branch by keypad and voice, no input, unknown numbers."""

from __future__ import annotations

import pytest

from tests.conftest import HARBOR_NUMBER


def first_redirect(reply) -> str | None:
    redirect = reply.documents[0].find("Redirect")
    return redirect.text if redirect is not None else None


def test_greeting_names_the_clinic_dialled(system):
    reply = system.phone(to=HARBOR_NUMBER, caller="+14155550123").start()
    assert reply.text.startswith("Thank you for calling Harbor Dental.")
    assert "press 1" in reply.text and "press 5" in reply.text
    gather = reply.gather
    assert gather["numDigits"] == "1" and gather["actionOnEmptyResult"] == "true"


@pytest.mark.parametrize("digits, route", [("1", "/book-appointment"), ("2", "/cancel-appointment"),
                                           ("3", "/reschedule-appointment"), ("4", "/check-availability")])
def test_menu_keys_lead_to_their_flow(system, digits, route):
    call = system.phone()
    call.start()
    reply = call.answer(digits=digits)
    assert first_redirect(reply) == route


@pytest.mark.parametrize("speech, route", [("I want to book an appointment", "/book-appointment"),
                                           ("cancel my appointment", "/cancel-appointment"),
                                           ("I need to reschedule", "/reschedule-appointment"),
                                           ("when is the doctor available", "/check-availability")])
def test_menu_by_voice(system, speech, route):
    call = system.phone()
    call.start()
    assert first_redirect(call.answer(speech=speech)) == route


@pytest.mark.parametrize("answer", [{"digits": "5"}, {"speech": "let me talk to the receptionist"},
                                    {"speech": "staff please"}])
def test_staff_is_dialled(system, answer):
    call = system.phone(to=HARBOR_NUMBER)
    call.start()
    reply = call.answer(**answer)
    assert reply.dialled == "+14155550199"


def test_no_input_and_unknown_choices_reprompt_then_transfer(system):
    call = system.phone()
    call.start()
    reply = call.answer()
    assert "didn't catch that" in reply.text and reply.gather["action"] == "/process-selection"
    reply = call.answer(digits="8")
    assert "didn't catch that" in reply.text
    reply = call.answer(speech="what colour is the sky")
    assert reply.dialled == "+16175550199"


def test_unknown_dialled_number_hears_a_polite_goodbye(system):
    reply = system.phone(to="+15555550000").start()
    assert "not connected to a clinic" in reply.text and reply.hung_up and reply.gather is None


def test_call_outcome_is_recorded_when_the_call_ends(system, db_factory):
    from services.twilio_handler.models import Call
    from shared.db import transaction

    call = system.phone()
    call.start()
    call.answer(digits="5")
    assert call.hang_up() == 200
    with transaction(db_factory) as db:
        row = db.get(Call, call.call_sid)
        assert row.outcome == "transferred" and row.ended_at is not None and row.clinic_id == 1
