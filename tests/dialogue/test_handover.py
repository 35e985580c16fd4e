"""Emergencies at any step, and hand-overs that follow the clinic's opening hours: staff (with a
whisper of why) when open, a callback request when closed, never a transfer to an empty room."""

from __future__ import annotations

import pytest

from services.receptionist_agent.utterance import detect_emergency
from shared.call_session import ClinicInfo
from shared.clock import FakeClock
from tests.dialogue.fakes import Call, MemoryClinic, at, riverside

# What callers say in an emergency; each must be recognised at any step.
EMERGENCY_PHRASES = (
    "I have chest pain and can't breathe", "my chest hurts", "I think I'm having a heart attack",
    "he can't breathe", "she's having trouble breathing", "I'm short of breath", "my son is choking",
    "I'm bleeding a lot", "there's blood everywhere", "my husband passed out", "she's unconscious",
    "he's having a seizure", "I think she's having a stroke", "I took an overdose", "I feel suicidal",
    "I want to kill myself", "I want to die", "this is an emergency", "I need an ambulance",
)
NOT_EMERGENCIES = ("it's not an emergency, I'd like a check up", "I'd like to book a cleaning",
                   "can I see Dr. Chen on Tuesday", "my name is Jane Doe")


@pytest.mark.parametrize("phrase", EMERGENCY_PHRASES)
def test_emergency_phrases_are_recognised(phrase):
    assert detect_emergency(phrase)


@pytest.mark.parametrize("phrase", NOT_EMERGENCIES)
def test_ordinary_requests_are_not_emergencies(phrase):
    assert not detect_emergency(phrase)


@pytest.mark.parametrize("before", [[], ["1"], ["1", "1"], ["1", "1", "tomorrow at 10am"]])
def test_an_emergency_at_any_step_is_told_911_then_put_through(call, before):
    for answer in before:
        call.press(answer) if answer.isdigit() else call.say(answer)
    call.say("I have chest pain and can't breathe")
    assert call.heard.startswith("If this is a medical emergency, please hang up and dial 911.")
    assert call.last.transfer is not None and call.last.transfer.reason == "emergency"
    assert call.session.steps[-2:] == ["emergency", "transfer"]


@pytest.mark.parametrize("country, number", [("US", "911"), ("CA", "911"), ("GB", "999"), ("DE", "112"),
                                             ("FR", "112")])
def test_the_emergency_number_is_the_clinics_countrys(clinic, country, number):
    clinic.clinic.country = country
    call = Call(clinic)
    call.start()
    call.say("I'm bleeding a lot")
    assert call.heard.startswith(f"If this is a medical emergency, please hang up and dial {number}.")


def test_an_emergency_when_closed_is_not_transferred(clinic):
    clinic.clock.set(at("2026-11-30T19:30"))
    call = Call(clinic)
    call.start()
    call.say("my husband passed out")
    assert call.heard == "If this is a medical emergency, please hang up and dial 911."
    assert call.last.hang_up and call.last.transfer is None and call.session.outcome == "emergency"


@pytest.mark.parametrize("local, is_open", [
    ("2026-11-30T07:59", False), ("2026-11-30T08:00", True), ("2026-11-30T17:59", True), ("2026-11-30T18:00", False),
    ("2026-11-28T10:00", False),  # Saturday
    ("2026-12-25T10:00", False),  # a Friday, but the clinic is closed for Christmas
])
def test_staff_when_open_callback_when_closed(clinic, local, is_open):
    clinic.clock.set(at(local))
    call = Call(clinic)
    call.start()
    call.press("5")
    if is_open:
        assert call.last.transfer is not None and call.last.transfer.reason == "staff_requested"
        assert call.session.outcome == "transferred"
    else:
        assert call.last.transfer is None and call.last.hang_up
        assert call.heard.startswith("Our office is closed right now. We'll call you back at the number ending in "
                                     "0 1 2 3 when we open, ")
        assert (call.session.outcome, call.session.outcome_reason) == ("callback_requested", "staff_requested")


def test_the_callback_says_when_the_clinic_opens(clinic):
    clinic.clock.set(at("2026-11-27T19:00"))  # Friday evening
    call = Call(clinic)
    call.start()
    call.press("5")
    assert "when we open, Monday, November 30th at 8 AM. Goodbye." in call.heard


def test_three_failures_after_hours_become_a_callback_with_the_reason(clinic):
    clinic.clock.set(at("2026-11-30T06:45"))
    call = Call(clinic)
    call.start()
    call.press("1")
    for key in ("8", "8", "8"):
        call.press(key)
    assert call.last.transfer is None and call.session.outcome == "callback_requested"
    assert call.session.outcome_reason == "doctor"


def test_a_withheld_caller_id_types_a_number_for_the_callback(clinic):
    clinic.clock.set(at("2026-11-30T20:00"))
    call = Call(clinic, caller="Anonymous")
    call.start()
    call.press("5")
    assert call.asked == "callback_number"
    call.press("12")
    assert call.heard == "Sorry, please enter the number, then the pound key."
    call.press("6175550142")
    assert "number ending in 0 1 4 2" in call.heard and call.session.callback_number == "+16175550142"
    assert call.session.outcome == "callback_requested"


def test_a_clinic_without_opening_hours_always_answers():
    always = ClinicInfo(**{**riverside().model_dump(), "opening_hours": [], "closures": []})
    clinic = MemoryClinic(always, FakeClock(at("2026-11-29T03:00")))  # 3 AM on a Sunday
    call = Call(clinic)
    call.start()
    call.press("5")
    assert call.last.transfer is not None


def test_no_free_slots_offers_staff_or_a_callback(clinic):
    clinic.exceptions[3] = [{"start_date": "2026-11-01", "end_date": "2027-06-30"}]
    call = Call(clinic)
    call.start()
    call.press("4")
    call.press("3")
    assert call.heard == ("I'm sorry, Dr. Maria Lopez has no free appointments in the next 60 days. "
                          "Press 1 to speak to our staff, or 2 for a call back when a time opens up.")
    call.say("please call me back")
    assert call.session.outcome == "callback_requested" and call.session.outcome_reason == "no_slots"
