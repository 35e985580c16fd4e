"""Booking conversations, driven through the engine with in-memory ports: by keypad alone, in one
sentence, by specialty, picking offered times in words, corrections at the read-back, precise
refusals, retries that say only what failed."""

from __future__ import annotations

import pytest

from tests.dialogue.fakes import Call, at


def book_rest(call: Call, name: str = "Jane Doe") -> None:
    """Name, address and yes, for whichever of them is still asked."""
    if call.asked == "name":
        call.say(name)
    if call.asked == "address":
        call.say("12 Main Street, Boston")
    assert call.asked == "confirm", call.heard
    call.press("1")


def test_a_keypad_only_caller_books_speaking_only_name_and_address(call, clinic):
    for key in ("1", "1", "1", "1"):  # book, Dr. Chen, the earliest times, the first of them
        call.press(key)
    assert call.asked == "name" and call.heard == "Please say your full name."
    call.say("Jane Doe")
    assert call.heard == "Please say your home address."
    call.say("12 Main Street, Boston")
    assert call.heard.startswith("Dr. Sarah Chen, today at 11 AM, for Jane Doe; we'll text 0 1 2 3.")
    call.press("1")
    assert call.last.hang_up and call.session.outcome == "booked"
    assert [(item.doctor_id, item.start) for item in clinic.appointments] == [(1, at("2026-11-30T11:00"))]


def test_every_question_the_keypad_can_answer_takes_keys():
    from shared.dialogue.engine import Accepts
    from shared.dialogue.runner import STEPS

    speech_only = {name for name, step in STEPS.items() if step.accepts is Accepts.SPEECH}
    assert speech_only == {"name", "address"}


def test_speech_only_questions_say_so(call):
    call.press("1")
    call.press("1")
    call.say("tomorrow at 10am")
    assert call.heard == "Please say your full name."
    call.say("Jane Doe")
    assert call.heard == "Please say your home address."


def test_one_sentence_books_in_three_turns_and_nothing_is_asked_twice(call, clinic):
    call.say("This is Jane Doe, I'd like to see Dr. Chen next Tuesday at 10")
    assert call.asked == "address"
    call.say("12 Main Street, Boston")
    assert call.heard.startswith("Dr. Sarah Chen, tomorrow at 10 AM, for Jane Doe")
    call.say("yes")
    assert call.session.outcome == "booked" and call.turns == 3
    asked = [reply.question.step for reply in call.replies if reply.question]
    assert len(asked) == len(set(asked)), asked


@pytest.mark.parametrize("sentence, doctor_id", [
    ("I'd like to book with Doctor Lopez on Thursday at 2pm", 3),
    ("can I get an appointment with the heart doctor Thursday at 2pm", 3),
    ("I need a pediatrician for my son, Wednesday at 9am", 2),
])
def test_all_at_once_at_most_five_turns(call, clinic, sentence, doctor_id):
    call.say(sentence)
    book_rest(call)
    assert call.session.outcome == "booked" and call.turns <= 5
    assert clinic.appointments[0].doctor_id == doctor_id


def test_the_typical_keypad_and_words_booking_says_at_most_130_words(call):
    call.press("1")
    call.press("1")
    call.say("Tuesday at 10am")
    call.say("Jane Doe")
    call.say("12 Main Street, Boston")
    call.press("1")
    assert call.session.outcome == "booked"
    assert call.turns == 6 and call.words <= 130, (call.turns, call.words)


@pytest.mark.parametrize("words, department_doctor", [
    ("the heart doctor", "Dr. Maria Lopez"), ("cardiology", "Dr. Maria Lopez"),
    ("a pediatrician for my son", "Dr. James Okafor"), ("my regular family doctor", "Dr. Sarah Chen"),
])
def test_specialties_and_descriptions_pick_the_doctor(call, words, department_doctor):
    call.press("1")
    call.say(words)
    assert call.asked == "time" and call.session.request.doctor_name == department_doctor
    assert call.heard.startswith(f"That's {department_doctor},")


def test_a_clinics_own_words_for_a_department(clinic):
    clinic.clinic.department_synonyms = {"Pediatrics": ["little ones"]}
    call = Call(clinic)
    call.start()
    call.press("1")
    call.say("the doctor for little ones")
    assert call.session.request.doctor_name == "Dr. James Okafor"


def test_a_department_with_several_doctors_offers_the_earliest_among_them(clinic):
    from shared.dialogue.ports import Doctor

    clinic.doctors_and_hours = [*clinic.doctors_and_hours, (
        Doctor(4, "Dr. Ana Ruiz", "Cardiology", ("Ruiz",)),
        [{"day": "mon", "start": "14:00", "end": "16:00"}])]
    call = Call(clinic)
    call.start()
    call.press("1")
    call.say("a cardiologist")
    assert call.asked == "choose_slot"
    assert call.heard.startswith("The earliest free times are: today at: 1, Dr. Ana Ruiz, 2 PM; "
                                 "2, Dr. Ana Ruiz, 2:30 PM; or 3, Dr. Ana Ruiz, 3 PM.")


@pytest.mark.parametrize("choice, expected", [
    ("one", "2026-11-30T11:00"), ("the second one", "2026-11-30T11:30"), ("three", "2026-11-30T12:00"),
    ("the 11:30", "2026-11-30T11:30"), ("the earliest", "2026-11-30T11:00"), ("the last one", "2026-11-30T12:00"),
])
def test_spoken_choices_pick_offered_times(call, choice, expected):
    call.press("1")
    call.press("1")
    call.press("1")
    assert call.asked == "choose_slot"
    call.say(choice)
    assert call.asked == "name" and call.session.request.start == at(expected)


def test_nine_hears_later_times_and_an_unknown_key_says_only_what_failed(call):
    call.press("1")
    call.press("1")
    call.press("1")
    call.press("9")
    assert call.heard.startswith("The next free times are: today at: 1, 12:30 PM; 2, 1 PM; or 3, 1:30 PM.")
    call.press("7")
    assert call.heard == "Sorry, which time? Press 1, 2 or 3, or 9 for later times."


def test_a_correction_at_the_read_back_changes_only_that_thing(call, clinic):
    call.press("1")
    call.press("3")
    call.say("tomorrow at 3pm")
    call.say("Jane Doe")
    call.say("12 Main Street")
    assert call.heard.startswith("Dr. Maria Lopez, tomorrow at 3 PM, for Jane Doe")
    call.say("no, Thursday")
    assert call.heard.startswith("Dr. Maria Lopez, Thursday, December 3rd at 3 PM, for Jane Doe")
    call.say("no, make it 4pm")
    assert call.heard.startswith("Dr. Maria Lopez, Thursday, December 3rd at 4 PM, for Jane Doe")
    call.press("1")
    assert [item.start for item in clinic.appointments] == [at("2026-12-03T16:00")]


def test_three_at_the_read_back_asks_only_the_time_again(call):
    call.press("1")
    call.press("1")
    call.say("tomorrow at 10am")
    call.say("Jane Doe")
    call.say("12 Main Street")
    call.press("3")
    assert call.asked == "time" and call.heard.startswith("When would you like to see Dr. Chen?")
    call.say("Wednesday at 2pm")
    assert call.heard.startswith("Dr. Sarah Chen, Wednesday, December 2nd at 2 PM, for Jane Doe")


def test_two_at_the_read_back_changes_the_doctor_and_keeps_the_time(call):
    call.press("1")
    call.press("1")
    call.say("Wednesday at 9am")
    call.say("Jane Doe")
    call.say("12 Main Street")
    call.press("2")
    assert call.asked == "doctor"
    call.press("2")
    assert call.heard.startswith("Dr. James Okafor, Wednesday, December 2nd at 9 AM, for Jane Doe")


def test_no_at_the_read_back_asks_what_to_change_without_counting_a_failure(call):
    call.say("This is Jane Doe, book me with Dr. Chen tomorrow at 10")
    call.say("12 Main Street")
    for _ in range(3):
        call.say("no")
        assert call.heard == ("What should I change? Press 2 for the doctor, 3 for the time, 4 for the number, "
                              "or 0 to start over.")
    assert call.last.transfer is None


def test_another_number_for_the_text(call, clinic):
    call.say("This is Jane Doe, book me with Dr. Chen tomorrow at 10")
    call.say("12 Main Street")
    call.press("4")
    assert call.asked == "phone_entry"
    call.press("6175550177")
    assert call.heard == "I've texted a code to that number. Please enter the 6-digit code."
    [(number, code)] = clinic.texts
    assert number == "+16175550177"
    call.press(code)
    assert "we'll text 0 1 7 7" in call.heard
    call.press("1")
    assert clinic.appointments[0].phone == "+16175550177"


def test_a_typed_number_that_is_not_the_callers_gets_no_confirmation(call, clinic):
    """Slot hoarding and texting someone else: a typed number must prove it is the caller's."""
    call.say("This is Jane Doe, book me with Dr. Chen tomorrow at 10")
    call.say("12 Main Street")
    call.press("4")
    call.press("6175550177")
    for guess in ("000000", "111111", "222222"):
        call.press(guess)
    assert call.last.transfer is not None and clinic.appointments == []


def test_a_number_with_three_upcoming_appointments_is_handed_to_staff(call, clinic):
    for day in ("2026-12-07T09:00", "2026-12-08T09:00", "2026-12-09T09:00"):
        clinic.add_appointment(1, at(day))
    call.say("This is Jane Doe, book me with Dr. Chen tomorrow at 10")
    call.say("12 Main Street")
    call.press("1")
    assert call.heard.startswith("That number already has as many upcoming appointments with us as we can book")
    assert call.last.transfer is not None and call.last.transfer.reason == "booking_limit"
    assert len(clinic.appointments) == 3


@pytest.mark.parametrize("said, refusal", [
    ("yesterday at 10am", "That time has already passed."),
    ("today at 9:30am", "That's too soon for us to book."),
    ("Saturday at 10am", "Dr. Sarah Chen isn't working then."),
    ("tomorrow at 10:15am", "Appointments start every 30 minutes."),
    ("March 3rd at 10am", "We can book only 60 days ahead."),
])
def test_precise_refusals_say_why_and_offer_the_nearest(call, said, refusal):
    call.press("1")
    call.press("1")
    call.say(said)
    assert call.heard.startswith(refusal), call.heard
    assert "didn't catch" not in call.heard
    assert call.asked in ("choose_slot", "time")


def test_a_booked_time_says_so(call, clinic):
    clinic.add_appointment(1, at("2026-12-01T10:00"), phone="+16175550999")
    call.press("1")
    call.press("1")
    call.say("tomorrow at 10am")
    assert call.heard.startswith("Dr. Sarah Chen is booked then. The nearest free times are: tomorrow at: "
                                 "1, 9 AM; 2, 9:30 AM; or 3, 10:30 AM.")


def test_a_day_without_a_time_offers_that_days_times(call):
    call.press("1")
    call.press("3")
    call.say("Thursday")
    assert call.heard.startswith("The nearest free times are: on Thursday, December 3rd at: 1, 1 PM; 2, 1:30 PM;")
    call.say("what about Sunday")
    assert call.heard.startswith("Dr. Maria Lopez isn't working then. The nearest free times are: "
                                 "on Tuesday, December 8th at: 1, 1 PM;")


def test_a_lost_race_at_the_confirmation_offers_the_nearest(call, clinic):
    call.say("This is Jane Doe, book me with Dr. Chen tomorrow at 10")
    call.say("12 Main Street")
    clinic.add_appointment(1, at("2026-12-01T10:00"), phone="+16175550999")
    call.press("1")
    assert call.heard.startswith("I'm sorry, that time was just taken.") and call.asked == "choose_slot"
    call.press("1")
    assert call.asked == "confirm"


def test_retries_say_only_the_part_that_failed_then_staff(call):
    call.press("1")
    call.press("8")
    assert call.heard == ("Sorry, which doctor? Press 1 for Dr. Chen; 2, Dr. Okafor; 3, Dr. Lopez; 0 for anyone.")
    call.say("the plumber")
    assert call.heard.startswith("Sorry, which doctor?")
    call.press("9")
    assert call.last.transfer is not None and call.last.transfer.reason == "doctor"
    assert call.heard.startswith("I'm sorry, I'm having trouble understanding. Connecting you to our staff.")


def test_star_repeats_without_counting(call):
    call.press("1")
    for _ in range(5):
        call.press("*")
        assert call.asked == "doctor" and call.heard.startswith("Which doctor?")
    assert call.session.failures == {}


def test_an_uncertain_doctor_is_confirmed(call):
    call.press("1")
    call.say("doctor lopes")
    if call.asked == "confirm_doctor":
        assert call.heard == "Did you mean Dr. Maria Lopez? Press 1 for yes, or 2 for no."
        call.press("1")
    assert call.asked == "time" and call.session.request.doctor_id == 3


def test_the_menu_after_an_error_is_not_replayed_with_the_greeting(call):
    call.press("8")
    assert not call.heard.startswith("Thank you for calling")
    assert call.heard.startswith("Sorry, I didn't catch that. Press 1 to book")
