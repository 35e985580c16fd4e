"""Rescheduling by phone: the new time in the caller's words, the nearest free slots when it is taken,
read-back and confirmation, and a move that loses a race leaving the old booking intact."""

from __future__ import annotations

from tests.calls.conftest import appointments, book, recorded_call, texts

WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"
THURSDAY_2PM = "2026-12-03T19:00:00+00:00"


def test_move_by_keypad_to_a_free_time(system):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    reply = call.answer(digits="3")
    assert reply.text.startswith("Your appointment is with Dr. Sarah Chen, Wednesday, December 2nd at 10 AM. "
                                 "When would you like to move it to?")
    assert reply.gather["action"] == "/capture-appointment-time"

    reply = call.answer(speech="Thursday at 2pm")
    assert "moves from Wednesday, December 2nd at 10 AM to Thursday, December 3rd at 2 PM" in reply.text
    reply = call.answer(digits="1")
    assert "is now Thursday, December 3rd at 2 PM" in reply.text and reply.hung_up

    [moved] = appointments(system)
    assert (moved["id"], moved["start"], moved["status"], moved["version"]) == (booked["id"], THURSDAY_2PM, "booked", 2)
    [sms] = [text for text in texts(system) if text["kind"] == "reschedule"]
    assert "moved to Thursday, December 3rd at 2 PM" in sms["body"]
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "rescheduled"


def test_taken_time_offers_the_three_nearest_free_slots(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    book(system, "Dr. Sarah Chen", THURSDAY_2PM, phone="+16175550188", name="Other Patient")
    call = system.phone()
    call.start()
    call.answer(digits="3")
    reply = call.answer(speech="Thursday at 2pm")
    assert reply.text.startswith("Dr. Sarah Chen is booked then. The nearest free times are: "
                                 "on Thursday, December 3rd at: 1, 1 PM; 2, 1:30 PM; or 3, 2:30 PM.")
    reply = call.answer(digits="3")
    assert "to Thursday, December 3rd at 2:30 PM" in reply.text
    call.answer(digits="1")
    assert appointments(system)[0]["start"] == "2026-12-03T19:30:00+00:00"


def test_another_time_from_the_offer(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    book(system, "Dr. Sarah Chen", THURSDAY_2PM, phone="+16175550188", name="Other Patient")
    call = system.phone()
    call.start()
    call.answer(digits="3")
    call.answer(speech="Thursday at 2pm")
    reply = call.answer(speech="none of those, another day")
    assert reply.gather["action"] == "/capture-appointment-time"
    reply = call.answer(speech="Friday at 9am")
    assert "to Friday, December 4th at 9 AM" in reply.text


def test_a_new_time_said_instead_of_a_choice_is_checked(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    book(system, "Dr. Sarah Chen", THURSDAY_2PM, phone="+16175550188", name="Other Patient")
    call = system.phone()
    call.start()
    call.answer(digits="3")
    call.answer(speech="Thursday at 2pm")
    reply = call.answer(speech="what about Friday at 9am")
    assert "to Friday, December 4th at 9 AM" in reply.text


def test_move_by_voice(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    reply = call.answer(speech="I'd like to reschedule")
    assert "When would you like to move it to" in reply.text
    reply = call.answer(speech="tomorrow at 3pm")
    assert "to tomorrow at 3 PM" in reply.text
    reply = call.answer(speech="yes that's right")
    assert "is now tomorrow at 3 PM" in reply.text
    assert appointments(system)[0]["start"] == "2026-12-01T20:00:00+00:00"


def test_moving_one_of_several(system):
    first = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    second = book(system, "Dr. Maria Lopez", THURSDAY_2PM)
    call = system.phone()
    call.start()
    reply = call.answer(digits="3")
    assert "Which one would you like to move?" in reply.text
    reply = call.answer(digits="2")
    assert "Dr. Maria Lopez, Thursday, December 3rd at 2 PM" in reply.text
    call.answer(speech="Thursday at 4pm")
    call.answer(digits="1")
    starts = {item["id"]: item["start"] for item in appointments(system)}
    assert starts == {first["id"]: WEDNESDAY_10AM, second["id"]: "2026-12-03T21:00:00+00:00"}


def test_losing_the_race_keeps_the_old_booking(system):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    call.answer(digits="3")
    reply = call.answer(speech="Thursday at 2pm")
    assert "to Thursday, December 3rd at 2 PM" in reply.text
    book(system, "Dr. Sarah Chen", THURSDAY_2PM, phone="+16175550188", name="Faster Caller")

    reply = call.answer(digits="1")
    assert "that time was just taken" in reply.text and reply.gather["action"] == "/choose-slot"
    [mine] = appointments(system)
    assert (mine["id"], mine["start"], mine["status"], mine["version"]) == (booked["id"], WEDNESDAY_10AM, "booked", 1)
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation"]

    reply = call.answer(digits="1")
    assert "to Thursday, December 3rd at 1 PM" in reply.text
    call.answer(digits="1")
    assert appointments(system)[0]["start"] == "2026-12-03T18:00:00+00:00"


def test_saying_no_keeps_the_time(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    call.answer(digits="3")
    call.answer(speech="Thursday at 2pm")
    reply = call.answer(digits="2")
    assert reply.text.startswith("All right, your appointment stays as it was. Is there anything else?")
    assert appointments(system)[0]["start"] == WEDNESDAY_10AM


def test_a_time_outside_hours_offers_the_nearest(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    call.answer(digits="3")
    reply = call.answer(speech="Saturday at 10am")
    assert reply.text.startswith("Dr. Sarah Chen isn't working then. The nearest free times are: "
                                 "on Friday, December 4th at: 1, 3:30 PM; 2, 4 PM; or 3, 4:30 PM.")
