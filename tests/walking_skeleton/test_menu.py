"""The greeting and the main menu: every branch by keypad and voice answered with the chosen flow's first
question in the same response (no <Redirect> round trip), no input, unknown numbers, the call record."""

from __future__ import annotations

import pytest

from tests.calls.conftest import book, recorded_call
from tests.conftest import HARBOR_NUMBER


def test_greeting_names_the_clinic_dialled(system):
    reply = system.phone(to=HARBOR_NUMBER, caller="+14155550123").start()
    assert reply.prompts == ["Thank you for calling Harbor Dental.",
                             "How can I help? Press 1 to book, 2 to cancel, 3 to reschedule, 4 for availability, "
                             "5 for staff."]
    gather = reply.gather
    assert gather["numDigits"] == "1" and gather["actionOnEmptyResult"] == "true"


@pytest.mark.parametrize("answer, action, opening", [
    ({"digits": "1"}, "/capture-doctor-name", "Which doctor?"),
    ({"digits": "2"}, "/confirm-cancellation", "Your appointment is with Dr. Sarah Chen"),
    ({"digits": "3"}, "/capture-appointment-time", "Your appointment is with Dr. Sarah Chen"),
    ({"digits": "4"}, "/capture-doctor-name", "Which doctor?"),
    ({"speech": "I want to book an appointment"}, "/capture-doctor-name", "Which doctor?"),
    ({"speech": "cancel my appointment"}, "/confirm-cancellation", "Your appointment is with"),
    ({"speech": "I need to reschedule"}, "/capture-appointment-time", "Your appointment is with"),
    ({"speech": "when is the doctor available"}, "/capture-doctor-name", "Which doctor?"),
])
def test_menu_answers_with_the_flows_first_question(system, answer, action, opening):
    book(system, "Dr. Sarah Chen", "2026-12-02T15:00:00+00:00")
    call = system.phone()
    call.start()
    reply = call.answer(**answer)
    assert len(reply.documents) == 1 and reply.documents[0].find("Redirect") is None
    assert reply.gather["action"] == action and reply.text.startswith(opening)


@pytest.mark.parametrize("answer", [{"digits": "5"}, {"speech": "let me talk to the receptionist"},
                                    {"speech": "staff please"}])
def test_staff_is_dialled_with_a_whisper(system, answer):
    call = system.phone()
    call.start()
    reply = call.answer(**answer)
    assert reply.dialled == "+16175550199"
    number = reply.documents[0].find("Dial/Number")
    assert number.get("url") == "/staff-whisper?reason=staff_requested"


def test_no_input_and_unknown_choices_reprompt_briefly_then_transfer(system):
    call = system.phone()
    call.start()
    reply = call.answer()
    assert reply.text == ("Sorry, I didn't catch that. Press 1 to book, 2 to cancel, 3 to reschedule, "
                          "4 for availability, 5 for staff.")
    assert reply.gather["action"] == "/process-selection"
    reply = call.answer(digits="8")
    assert reply.text.startswith("Sorry, I didn't catch that.")
    reply = call.answer(speech="what colour is the sky")
    assert reply.dialled == "+16175550199"
    assert reply.documents[0].find("Dial/Number").get("url") == "/staff-whisper?reason=menu"


def test_star_repeats_the_question_without_counting_a_failure(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    for _ in range(4):
        reply = call.answer(digits="*")
        assert reply.text.startswith("Which doctor?") and reply.gather["action"] == "/capture-doctor-name"


def test_unknown_dialled_number_hears_a_polite_goodbye(system):
    reply = system.phone(to="+15555550000").start()
    assert "not connected to a clinic" in reply.text and reply.hung_up and reply.gather is None


def test_call_outcome_is_recorded_with_its_reason_when_the_call_ends(system):
    call = system.phone()
    call.start()
    call.answer(digits="5")
    assert call.hang_up() == 200
    row = recorded_call(system, call.call_sid)
    assert (row["outcome"], row["outcome_reason"], row["language"]) == ("transferred", "staff_requested", "en")
    assert row["ended_at"] is not None and row["clinic_id"] == 1
