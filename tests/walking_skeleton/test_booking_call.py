"""A caller books by keypad and by voice across all eight services on real Postgres and Redis: the
booking, the text, taken slots, a lost race, retries, and a Twilio retry of the confirmation.
The clock is Monday 30 November 2026, just before 9 AM in Boston (tests/calls/conftest.py)."""

from __future__ import annotations

import re

from tests.calls.conftest import appointments, book, texts
from tests.conftest import CALLER

TUESDAY_10AM = "2026-12-01T15:00:00+00:00"  # 10 AM in Boston


def answer_up_to_read_back(call, when: str = "Tuesday at 10am"):
    """From the greeting to the read-back: Dr. Chen by key, the time in words, name and address."""
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech=when)
    call.answer(speech="my name is Jane Doe")
    return call.answer(speech="12 Main Street, Boston")


def book_by_keypad(system, when: str = "Tuesday at 10am"):
    """A whole booking of Dr. Chen at a spoken time; returns the call and the last reply."""
    call = system.phone()
    answer_up_to_read_back(call, when)
    return call, call.answer(digits="1")


def test_booking_by_keypad_books_and_texts(system):
    call = system.phone()
    reply = call.start()
    assert reply.prompts[0] == "Thank you for calling Riverside Family Clinic."
    assert reply.gather["action"] == "/process-selection" and reply.gather["input"] == "dtmf speech"
    reply = call.answer(digits="1")
    assert "press 1 for Dr. Chen, General Practice; 2, Dr. Okafor, Pediatrics" in reply.text
    assert "Doctor Chen" in reply.gather["hints"] and "Cardiology" in reply.gather["hints"]
    reply = call.answer(digits="1")
    assert reply.text.startswith("When would you like to see Dr. Chen?")
    assert reply.gather["input"] == "dtmf speech" and reply.gather["numDigits"] == "1"
    reply = call.answer(speech="Tuesday at 10am")
    assert reply.text == "Please say your full name." and reply.gather["input"] == "speech"
    reply = call.answer(speech="my name is Jane Doe")
    assert reply.text == "Please say your home address."
    reply = call.answer(speech="12 Main Street, Boston")
    assert reply.text.startswith("Dr. Sarah Chen, tomorrow at 10 AM, for Jane Doe; we'll text 0 1 2 3.")
    assert "3 to change the time" in reply.text
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen for tomorrow at 10 AM." in reply.text and reply.hung_up

    assert [(item["doctor"], item["status"], item["start"]) for item in appointments(system)] == [
        ("Dr. Sarah Chen", "booked", TUESDAY_10AM)]
    [text] = texts(system)
    body = text["body"]
    assert "Dr. Sarah Chen" in body and "Riverside Family Clinic" in body and "10 AM" in body
    assert "Jane" in body and "Doe" not in body and "Main" not in body
    assert "SMS outbox: to +16175550123" in system.outbox.getvalue()


def test_booking_by_voice_names_the_doctor(system):
    call = system.phone()
    call.start()
    reply = call.answer(speech="I'd like to book an appointment")
    assert reply.text.startswith("Which doctor?")
    reply = call.answer(speech="Doctor Chen")
    assert reply.text.startswith("When would you like to see Dr. Chen?")
    call.answer(speech="Thursday at 11am")
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(speech="yes")
    assert "You're booked" in reply.text
    assert [item["start"] for item in appointments(system)] == ["2026-12-03T16:00:00+00:00"]


def test_one_sentence_books_in_three_turns(system):
    call = system.phone()
    call.start()
    reply = call.answer(speech="This is Jane Doe, I'd like to see Dr. Chen on Tuesday at 10")
    assert reply.text == "Please say your home address."
    reply = call.answer(speech="12 Main Street, Boston")
    assert reply.text.startswith("Dr. Sarah Chen, tomorrow at 10 AM, for Jane Doe")
    reply = call.answer(speech="yes")
    assert "You're booked" in reply.text
    assert [item["start"] for item in appointments(system)] == [TUESDAY_10AM]


def test_keypad_only_books_with_words_for_name_and_address_only(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(digits="1")
    assert reply.text.startswith("The earliest free times are: today at: 1, 11 AM; 2, 11:30 AM; or 3, 12 PM.")
    reply = call.answer(digits="2")
    assert reply.text == "Please say your full name."
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen for today at 11:30 AM." in reply.text


def test_another_number_is_typed_at_the_read_back(system):
    answer_up_to_read_back(call := system.phone())
    reply = call.answer(digits="4")
    assert reply.text == "Please enter your phone number, then the pound key."
    assert reply.gather["finishOnKey"] == "#"
    reply = call.answer(digits="6175550177")
    assert reply.text == "I've texted a code to that number. Please enter the 6-digit code."
    [code_text] = texts(system, "+16175550177")
    reply = call.answer(digits=re.search(r"\d{6}", code_text["body"]).group(0))
    assert "we'll text 0 1 7 7" in reply.text
    call.answer(digits="1")
    assert len(appointments(system, "+16175550177")) == 1 and appointments(system) == []


def test_taken_time_says_so_and_offers_the_nearest(system):
    book(system, "Dr. Sarah Chen", TUESDAY_10AM, phone="+16175550999", name="Other Patient")
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech="Tuesday at 10am")
    assert reply.text.startswith("Dr. Sarah Chen is booked then. The nearest free times are: "
                                 "tomorrow at: 1, 9 AM; 2, 9:30 AM; or 3, 10:30 AM.")
    assert reply.gather["action"] == "/choose-slot"
    reply = call.answer(speech="the 9:30")
    assert reply.text == "Please say your full name."
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen for tomorrow at 9:30 AM." in reply.text


def test_slot_taken_between_read_back_and_confirm_offers_the_nearest(system):
    call = system.phone()
    answer_up_to_read_back(call)
    book(system, "Dr. Sarah Chen", TUESDAY_10AM, phone="+16175550999", name="Other Patient")
    reply = call.answer(digits="1")
    assert reply.text.startswith("I'm sorry, that time was just taken.") and reply.gather["action"] == "/choose-slot"
    reply = call.answer(digits="1")
    assert reply.text.startswith("Dr. Sarah Chen, tomorrow at 9 AM, for Jane Doe")
    reply = call.answer(digits="1")
    assert "You're booked" in reply.text
    assert [item["start"] for item in appointments(system)] == ["2026-12-01T14:00:00+00:00"]


def test_start_over_at_read_back(system):
    call = system.phone()
    answer_up_to_read_back(call)
    reply = call.answer(digits="0")
    assert reply.text.startswith("No problem, let's start again. Which doctor?")
    assert appointments(system) == []


def test_unintelligible_time_is_asked_again_then_staff(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech="purple elephant")
    assert reply.text.startswith("Sorry, I didn't catch the time.")
    call.answer(speech="banana")
    reply = call.answer(speech="")
    assert reply.dialled == "+16175550199"
    [dial] = reply.documents[-1].findall("Dial")
    assert dial.get("action") == "/transfer-ended"
    assert dial.find("Number").get("url") == "/staff-whisper?reason=time"


def test_retried_confirmation_books_once(system):
    """Twilio may repeat a webhook; the same call confirming twice books one appointment and texts once."""
    call, reply = book_by_keypad(system)
    assert "You're booked" in reply.text
    status, _, body = call.post("/confirm-booking", {"Digits": "1"})
    assert status == 200 and "<Response" in body
    assert len(appointments(system)) == 1
    assert len(texts(system, CALLER)) == 1


def test_whoever_is_free_hears_the_earliest_slots_and_books_one(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="whoever is free")
    assert reply.text.startswith("The earliest free times are: today at: 1, Dr. Sarah Chen, 11 AM; "
                                 "2, Dr. James Okafor, 11 AM; or 3, Dr. Sarah Chen, 11:30 AM.")
    reply = call.answer(digits="2")
    assert reply.text == "Please say your full name."
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. James Okafor for today at 11 AM." in reply.text


def test_an_uncertain_doctor_match_is_confirmed_first(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="doctor murray")
    assert reply.text.startswith("Did you mean Dr.") and reply.gather["action"] == "/confirm-doctor"
    reply = call.answer(digits="2")
    assert reply.text.startswith("Which doctor?")
    call.answer(speech="doctor murray")
    reply = call.answer(speech="yes")
    assert reply.text.startswith("When would you like to see")


def test_a_specialty_picks_the_doctor(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="the heart doctor")
    assert reply.text.startswith("That's Dr. Maria Lopez, Cardiology. When would you like to see Dr. Lopez?")
