"""A caller books by keypad and by voice; taken slots, retries and the SMS confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import CALLER

NEW_YORK = ZoneInfo("America/New_York")


def next_weekday_at(hour: int, weekday: int = 1) -> datetime:
    """The next given weekday (Mon=0) at least two days away, at an hour, in New York."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK)


def spoken_day(moment: datetime) -> str:
    return f"{moment:%B} {moment.day} at {moment.hour % 12 or 12} {'am' if moment.hour < 12 else 'pm'}"


def answer_up_to_read_back(call, when: str):
    """From the greeting to the read-back: Dr. Chen by key, the time in words, name, caller ID, address."""
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech=when)
    call.answer(speech="my name is Jane Doe")
    call.answer(digits="1")
    return call.answer(speech="12 Main Street, Boston")


def book_by_keypad(system, when: str):
    """A whole booking of Dr. Chen at a spoken time; returns the call and the last reply."""
    call = system.phone()
    answer_up_to_read_back(call, when)
    return call, call.answer(digits="1")


def book_directly(system, start: datetime, phone: str = "+16175550999", doctor_id: int = 1):
    return system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id, "start": start.isoformat(),
        "patient": {"name": "Other Patient", "phone": phone},
    })


def test_booking_by_keypad_books_and_texts(system):
    start = next_weekday_at(10)
    call = system.phone()
    reply = call.start()
    assert "Riverside Family Clinic" in reply.text
    assert reply.gather["action"] == "/process-selection" and reply.gather["input"] == "dtmf speech"
    reply = call.answer(digits="1")
    assert "press 1 for Dr. Sarah Chen" in reply.text
    assert "Doctor Chen" in reply.gather["hints"]
    reply = call.answer(digits="1")
    assert "When would you like to see Dr. Sarah Chen" in reply.text
    reply = call.answer(speech=spoken_day(start))
    assert "full name" in reply.text
    reply = call.answer(speech="my name is Jane Doe")
    assert "ending in 0 1 2 3" in reply.text
    reply = call.answer(digits="1")
    reply = call.answer(speech="12 Main Street, Boston")
    assert "Dr. Sarah Chen" in reply.text and "10 AM" in reply.text and "Jane Doe" in reply.text
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen" in reply.text and reply.hung_up

    listed = system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json()
    assert [(item["doctor"], item["status"]) for item in listed] == [("Dr. Sarah Chen", "booked")]
    assert datetime.fromisoformat(listed[0]["start"]) == start

    texts = system.internal("GET", "/messaging/sms", query_string={"to": CALLER}).get_json()
    assert len(texts) == 1
    body = texts[0]["body"]
    assert "Dr. Sarah Chen" in body and "Riverside Family Clinic" in body and "10 AM" in body
    assert "Jane" in body and "Doe" not in body and "Main" not in body
    assert "SMS outbox: to +16175550123" in system.outbox.getvalue()


@pytest.mark.parametrize("spoken_doctor", ["Doctor Chen", "Sarah Chen", "Chen"])
def test_booking_by_voice(system, spoken_doctor):
    start = next_weekday_at(11, weekday=3)
    call = system.phone()
    call.start()
    reply = call.answer(speech="I'd like to book an appointment")
    assert "Which doctor" in reply.text
    reply = call.answer(speech=spoken_doctor)
    assert "Dr. Sarah Chen" in reply.text
    call.answer(speech=spoken_day(start))
    call.answer(speech="Jane Doe")
    call.answer(speech="yes please")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(speech="yes")
    assert "You're booked" in reply.text
    listed = system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json()
    assert [datetime.fromisoformat(item["start"]) for item in listed] == [start]


def test_typed_phone_number_is_used(system):
    start = next_weekday_at(14)
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech=spoken_day(start))
    call.answer(speech="Jane Doe")
    reply = call.answer(digits="6175550177")
    assert "address" in reply.text
    call.answer(speech="12 Main Street, Boston")
    call.answer(digits="1")
    listed = system.internal("GET", "/calendly/appointments", query_string={"phone": "+16175550177"}).get_json()
    assert len(listed) == 1


def test_taken_slot_offers_the_three_nearest_free_slots(system):
    start = next_weekday_at(10)
    assert book_directly(system, start).status_code == 201
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech=spoken_day(start))
    assert "isn't available then" in reply.text
    assert reply.gather["action"] == "/choose-slot"
    assert "9:30 AM" in reply.text and "10:30 AM" in reply.text
    reply = call.answer(digits="2")
    assert "full name" in reply.text
    call.answer(speech="Jane Doe")
    call.answer(digits="1")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked" in reply.text
    mine = system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json()
    assert len(mine) == 1 and datetime.fromisoformat(mine[0]["start"]) != start


def test_slot_taken_between_read_back_and_confirm(system):
    start = next_weekday_at(15)
    call = system.phone()
    answer_up_to_read_back(call, spoken_day(start))
    assert book_directly(system, start).status_code == 201
    reply = call.answer(digits="1")
    assert "just taken" in reply.text and reply.gather["action"] == "/choose-slot"
    reply = call.answer(digits="1")
    assert "Let me read that back" in reply.text
    reply = call.answer(digits="1")
    assert "You're booked" in reply.text


def test_start_over_at_read_back(system):
    call = system.phone()
    answer_up_to_read_back(call, spoken_day(next_weekday_at(10)))
    reply = call.answer(digits="2")
    assert "start again" in reply.text and "Which doctor" in reply.text
    assert system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json() == []


def test_unintelligible_time_is_asked_again_then_staff(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech="purple elephant")
    assert "didn't catch the day and time" in reply.text
    call.answer(speech="banana")
    reply = call.answer(speech="")
    assert reply.dialled == "+16175550199"


def test_retried_confirmation_books_once(system):
    """Twilio may repeat a webhook; the same call confirming twice books one appointment."""
    call, _ = book_by_keypad(system, spoken_day(next_weekday_at(9)))
    system.sessions.save(call.call_sid, {**system.sessions.load(call.call_sid)})
    status, _, body = call.post("/confirm-booking", {"Digits": "1"})
    assert status == 200 and "You're booked" in body
    listed = system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json()
    assert len(listed) == 1
    assert len(system.internal("GET", "/messaging/sms", query_string={"to": CALLER}).get_json()) == 1


def test_whoever_is_free_hears_the_earliest_slots_and_books_one(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="whoever is free")
    assert "The next free times are" in reply.text and reply.gather["action"] == "/choose-available-slot"
    reply = call.answer(digits="1")
    assert "full name" in reply.text
    call.answer(speech="Jane Doe")
    call.answer(digits="1")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked" in reply.text
    assert len(system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json()) == 1


def test_an_uncertain_doctor_match_is_confirmed_first(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="doctor murray")
    assert reply.text.startswith("Did you mean Dr.") and reply.gather["action"] == "/confirm-doctor"
    reply = call.answer(digits="2")
    assert "Which doctor" in reply.text
    call.answer(speech="doctor murray")
    reply = call.answer(speech="yes")
    assert "When would you like to see" in reply.text


def test_a_confident_doctor_match_is_not_questioned(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="Doctor Okafor please")
    assert "When would you like to see Dr. James Okafor" in reply.text


def test_no_free_times_three_times_offers_staff_or_a_callback(system):
    beyond_horizon = datetime.now(NEW_YORK) + timedelta(days=90)
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    for _ in range(2):
        reply = call.answer(speech=spoken_day(beyond_horizon.replace(hour=10)))
        assert "has no free times around then" in reply.text
    reply = call.answer(speech=spoken_day(beyond_horizon.replace(hour=10)))
    assert "Press 1 to speak to our staff" in reply.text and reply.gather["action"] == "/no-slots-choice"
