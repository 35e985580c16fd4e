"""A caller books Dr. Chen by keypad and by voice; the appointment and the SMS exist afterwards."""

from __future__ import annotations

from tests.conftest import CALLER


def book_by_keypad(system, when: str = "next Tuesday at 10am"):
    call = system.phone()
    reply = call.start()
    assert "Riverside Family Clinic" in reply.text
    assert reply.gather["action"] == "/process-selection"
    call.answer(digits="1")
    reply = call.answer(digits="1")
    assert "When would you like to see Dr. Sarah Chen" in reply.text
    call.answer(speech=when)
    call.answer(speech="my name is Jane Doe")
    call.answer(digits="1")
    reply = call.answer(speech="12 Main Street, Boston")
    assert "Dr. Sarah Chen" in reply.text and "10 AM" in reply.text and "Jane Doe" in reply.text
    reply = call.answer(digits="1")
    return call, reply


def test_booking_by_keypad_books_and_texts(system):
    call, reply = book_by_keypad(system)
    assert "You're booked with Dr. Sarah Chen" in reply.text
    assert reply.hung_up

    listed = system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).get_json()
    assert [(item["doctor"], item["status"]) for item in listed] == [("Dr. Sarah Chen", "booked")]
    assert listed[0]["start"].endswith("+00:00") and "T15:00:00" in listed[0]["start"]  # 10 AM EST

    texts = system.internal("GET", "/messaging/sms", query_string={"to": CALLER}).get_json()
    assert len(texts) == 1
    assert "Dr. Sarah Chen" in texts[0]["body"] and "Riverside Family Clinic" in texts[0]["body"]
    assert "10 AM" in texts[0]["body"] and "12 Main" not in texts[0]["body"]
    assert "SMS outbox: to +16175550123" in system.outbox.getvalue()
