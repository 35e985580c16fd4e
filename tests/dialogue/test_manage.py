"""Cancelling and rescheduling through the engine: found by caller ID (two turns to cancel), a choice
among several, a number typed when the caller ID finds nothing, and the move with its confirmation."""

from __future__ import annotations

from tests.dialogue.fakes import Call, at


def test_cancel_from_the_patients_own_phone_takes_two_turns(call, clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"))
    call.press("2")
    assert call.heard == ("Your appointment is with Dr. Sarah Chen, Wednesday, December 2nd at 10 AM. Would you like "
                          "to cancel it? Press 1 for yes, or 2 for no.")
    call.press("1")
    assert call.session.outcome == "cancelled" and call.turns == 2
    assert clinic.appointments[0].status == "cancelled"


def test_several_appointments_are_chosen_by_key_or_words(clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"))
    clinic.add_appointment(3, at("2026-12-03T14:00"))
    call = Call(clinic)
    call.start()
    call.say("cancel my appointment")
    assert call.heard.startswith("You have 2 upcoming appointments. Which one would you like to cancel? "
                                 "press 1 for Dr. Sarah Chen, Wednesday, December 2nd at 10 AM; press 2 for")
    call.say("the second one")
    assert call.heard.startswith("Your appointment is with Dr. Maria Lopez, Thursday, December 3rd at 2 PM.")


def test_a_typed_number_finds_the_appointment(clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"), phone="+16175550177")
    call = Call(clinic)
    call.start()
    call.press("2")
    assert call.heard.startswith("I couldn't find an upcoming appointment for the number you're calling from. "
                                 "If you booked with another number")
    call.press("6175550177")
    assert call.asked == "confirm_cancel"


def test_nothing_found_anywhere_hands_over(call):
    call.press("2")
    call.press("6175550177")
    assert call.heard.startswith("I couldn't find an upcoming appointment for that number either.")
    assert call.last.transfer is not None and call.last.transfer.reason == "appointment_not_found"


def test_keeping_the_appointment_returns_to_a_short_menu(call, clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"))
    call.press("2")
    call.press("2")
    assert call.heard.startswith("All right, your appointment is still booked. Is there anything else? Press 1")
    assert call.asked == "menu" and call.session.outcome == "enquiry_only"


def test_reschedule_reads_the_appointment_and_moves_it(call, clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"))
    call.press("3")
    assert call.heard.startswith("Your appointment is with Dr. Sarah Chen, Wednesday, December 2nd at 10 AM. "
                                 "When would you like to move it to?")
    call.say("Thursday at 2pm")
    assert call.heard.startswith("To confirm: your appointment with Dr. Sarah Chen moves from Wednesday, December 2nd "
                                 "at 10 AM to Thursday, December 3rd at 2 PM.")
    call.say("no, 3pm")
    assert "to Thursday, December 3rd at 3 PM" in call.heard
    call.press("1")
    assert call.session.outcome == "rescheduled" and clinic.appointments[0].start == at("2026-12-03T15:00")


def test_reschedule_to_the_earliest_by_keypad(call, clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"))
    call.press("3")
    call.press("1")
    assert call.heard.startswith("The earliest free times are: today at: 1, 11 AM;")
    call.press("2")
    call.press("1")
    assert clinic.appointments[0].start == at("2026-11-30T11:30")
