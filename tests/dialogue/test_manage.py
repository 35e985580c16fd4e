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


def test_a_typed_number_needs_the_code_texted_to_it(clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"), phone="+16175550177")
    call = Call(clinic)
    call.start()
    call.press("2")
    assert call.heard.startswith("I couldn't find an upcoming appointment for the number you're calling from. "
                                 "Please enter the phone number you booked with")
    call.press("6175550177")
    assert call.heard == ("If we find an appointment for that number, we'll text it a code. "
                          "Please enter the 6-digit code.")
    [(number, code)] = clinic.texts
    assert number == "+16175550177"
    call.press(code)
    assert call.asked == "confirm_cancel" and call.heard.startswith("Your appointment is with Dr. Sarah Chen")


def test_a_stranger_with_a_patients_number_learns_nothing_and_changes_nothing(clinic):
    clinic.add_appointment(3, at("2026-12-03T14:00"), phone="+16175550177")
    call = Call(clinic, caller="+16175550999")
    call.start()
    call.press("2")
    call.press("6175550177")
    for guess in ("000000", "111111", "222222"):
        call.press(guess)
    said = " ".join(reply_text for reply_text in [call.heard] + [
        " ".join(item.text for item in [*reply.spoken, *(reply.question.prompts if reply.question else [])])
        for reply in call.replies])
    for secret in ("Lopez", "Cardiology", "Thursday", "December 3rd", "2 PM"):
        assert secret not in said
    assert call.last.transfer is not None and call.last.transfer.reason == "verification"
    assert clinic.appointments[0].status == "booked"


def test_a_number_without_appointments_hears_exactly_the_same(clinic):
    call = Call(clinic, caller="+16175550999")
    call.start()
    call.press("2")
    call.press("6175550177")
    assert call.heard == ("If we find an appointment for that number, we'll text it a code. "
                          "Please enter the 6-digit code.")
    assert clinic.texts == []
    call.press("123456")
    assert call.heard == "That code doesn't match. Please enter the 6-digit code."


def test_a_caller_id_failing_attestation_is_not_enough(clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"))
    call = Call(clinic)
    call.session.caller_id_trusted = False
    call.start()
    call.press("2")
    assert call.asked == "booking_phone" and "Dr. Sarah Chen" not in call.heard
    assert "couldn't find" not in call.heard, "an unverified caller ID is told nothing, not even that"
    call.press("6175550123")
    call.press(clinic.texts[-1][1])
    assert call.asked == "confirm_cancel"


def test_the_code_can_be_spoken(clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"), phone="+16175550177")
    call = Call(clinic, caller="+16175550999")
    call.start()
    call.press("3")
    call.press("6175550177")
    code = clinic.texts[-1][1]
    call.say(" ".join({"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
                       "7": "seven", "8": "eight", "9": "nine"}[digit] for digit in code))
    assert call.asked == "time" and call.heard.startswith("Your appointment is with Dr. Sarah Chen")


def test_too_many_codes_for_a_number_hand_over(clinic):
    clinic.add_appointment(1, at("2026-12-02T10:00"), phone="+16175550177")
    for _ in range(3):
        call = Call(clinic, caller="+16175550999")
        call.start()
        call.press("2")
        call.press("6175550177")
    call = Call(clinic, caller="+16175550999")
    call.start()
    call.press("2")
    call.press("6175550177")
    assert call.heard.startswith("I'm sorry, we can't send another code to that number right now.")
    assert call.last.transfer is not None


def test_nothing_found_is_never_said_about_a_typed_number(call):
    call.press("2")
    call.press("6175550177")
    assert "couldn't find" not in call.heard and call.asked == "verify_code"


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
