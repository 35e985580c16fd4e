"""Cancelling by phone: one, several and no appointments found; by keypad and by voice."""

from __future__ import annotations

import re
from datetime import datetime

from tests.calls.conftest import appointments, book, recorded_call, texts
from tests.conftest import CALLER

WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"
THURSDAY_2PM = "2026-12-03T19:00:00+00:00"


def test_one_appointment_is_read_confirmed_and_cancelled_in_two_turns(system):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    reply = call.answer(digits="2")
    assert "Dr. Sarah Chen, Wednesday, December 2nd at 10 AM" in reply.text
    assert reply.gather["action"] == "/confirm-cancellation"

    reply = call.answer(digits="1")
    assert "is cancelled" in reply.text and reply.hung_up
    assert [item["status"] for item in appointments(system)] == ["cancelled"]
    sent = [text for text in texts(system) if text["kind"] == "cancellation"]
    assert len(sent) == 1 and sent[0]["appointment_id"] == booked["id"]
    assert "Wednesday, December 2nd at 10 AM" in sent[0]["body"] and "cancelled" in sent[0]["body"]

    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert row["outcome"] == "cancelled"
    assert row["steps"] == ["greeting", "menu", "cancel", "confirm_cancel", "cancelled"]


def test_cancel_by_voice(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    reply = call.answer(speech="I need to cancel my appointment")
    assert "Would you like to cancel it" in reply.text
    reply = call.answer(speech="yes please")
    assert "is cancelled" in reply.text
    assert appointments(system)[0]["status"] == "cancelled"


def test_several_appointments_are_listed_and_the_chosen_one_cancelled(system):
    first = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    second = book(system, "Dr. Maria Lopez", THURSDAY_2PM)
    call = system.phone()
    call.start()
    reply = call.answer(digits="2")
    assert "You have 2 upcoming appointments" in reply.text
    assert "press 1 for Dr. Sarah Chen, Wednesday, December 2nd at 10 AM" in reply.text
    assert "press 2 for Dr. Maria Lopez, Thursday, December 3rd at 2 PM" in reply.text
    assert reply.gather["action"] == "/choose-appointment"

    reply = call.answer(digits="7")
    assert reply.text.startswith("Sorry, which one? press 1 for Dr. Sarah Chen")
    assert reply.gather["action"] == "/choose-appointment"
    reply = call.answer(digits="2")
    assert "Dr. Maria Lopez, Thursday, December 3rd at 2 PM" in reply.text
    call.answer(digits="1")
    statuses = {item["id"]: item["status"] for item in appointments(system)}
    assert statuses == {first["id"]: "booked", second["id"]: "cancelled"}


def test_several_appointments_chosen_by_voice(system):
    first = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    book(system, "Dr. Maria Lopez", THURSDAY_2PM)
    call = system.phone()
    call.start()
    call.answer(speech="cancel")
    reply = call.answer(speech="the first one")
    assert "Dr. Sarah Chen, Wednesday, December 2nd at 10 AM" in reply.text
    call.answer(speech="yes")
    statuses = {item["id"]: item["status"] for item in appointments(system)}
    assert statuses[first["id"]] == "cancelled" and list(statuses.values()).count("booked") == 1


def code_texted_to(system, phone: str) -> str:
    """The one-time code in the last text to a number."""
    [code_text] = [text for text in texts(system, phone) if text["kind"] == "verification_code"][-1:]
    return re.search(r"your code is (\d{6})", code_text["body"]).group(1)


def test_no_appointment_for_caller_id_then_the_code_texted_to_the_number_entered(system):
    other_phone = "+16175550177"
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM, phone=other_phone)
    call = system.phone()
    call.start()
    reply = call.answer(digits="2")
    assert "couldn't find an upcoming appointment for the number you're calling from" in reply.text
    assert reply.gather["action"] == "/capture-booking-phone" and reply.gather["finishOnKey"] == "#"

    reply = call.answer(digits="6175550177#")
    assert reply.text == ("If we find an appointment for that number, we'll text it a code. "
                          "Please enter the 6-digit code.")
    assert reply.gather["action"] == "/capture-verification-code" and reply.gather["numDigits"] == "6"
    reply = call.answer(digits=code_texted_to(system, other_phone))
    assert "Dr. Sarah Chen, Wednesday, December 2nd at 10 AM" in reply.text
    call.answer(digits="1")
    assert appointments(system, other_phone)[0]["status"] == "cancelled"
    assert [text["kind"] for text in texts(system, other_phone)] == [
        "booking_confirmation", "verification_code", "cancellation"]


def test_a_stranger_typing_a_patients_number_hears_nothing_about_it(system):
    book(system, "Dr. Maria Lopez", THURSDAY_2PM, phone="+16175550177")
    call = system.phone(caller="+16175550999")
    call.start()
    heard = [call.answer(digits="2").text, call.answer(digits="6175550177#").text]
    heard += [call.answer(digits=guess).text for guess in ("000000", "111111", "222222")]
    for secret in ("Lopez", "Cardiology", "Thursday", "December 3rd", "2 PM"):
        assert not any(secret in text for text in heard)
    assert call.last.dialled == "+16175550199"
    assert appointments(system, "+16175550177")[0]["status"] == "booked"
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome_reason"] == "verification"


def test_no_appointment_anywhere_sounds_the_same_and_sends_nothing(system):
    call = system.phone()
    call.start()
    call.answer(digits="2")
    reply = call.answer(digits="6175550177#")
    assert reply.text == ("If we find an appointment for that number, we'll text it a code. "
                          "Please enter the 6-digit code.")
    assert texts(system, "+16175550177") == []


def test_staff_key_instead_of_a_number(system):
    call = system.phone()
    call.start()
    call.answer(digits="2")
    reply = call.answer(digits="0")
    assert reply.dialled == "+16175550199"


def test_saying_no_keeps_the_appointment(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    call.answer(digits="2")
    reply = call.answer(digits="2")
    assert reply.text.startswith("All right, your appointment is still booked. Is there anything else?")
    assert reply.gather["action"] == "/process-selection"
    assert appointments(system)[0]["status"] == "booked"
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation"]
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "enquiry_only"


def test_past_and_other_clinics_appointments_are_not_offered(system):
    book(system, "Dr. Priya Patel", "2026-12-01T18:00:00+00:00", clinic="harbor-dental")
    book(system, "Dr. Sarah Chen", "2026-11-30T17:00:00+00:00")  # today at noon, over by 2 PM
    system.clock.set(datetime.fromisoformat("2026-11-30T19:00:00+00:00"))
    call = system.phone()
    call.start()
    reply = call.answer(digits="2")
    assert reply.gather["action"] == "/capture-booking-phone"
    assert len(appointments(system)) == 2


def test_a_repeated_confirmation_does_not_fail_the_caller(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    call.start()
    call.answer(digits="2")
    call.answer(digits="1")
    status, content_type, body = call.post("/confirm-cancellation", {"Digits": "1"})  # Twilio retried the request
    assert (status, content_type.split(";")[0]) == (200, "text/xml")
    assert "is cancelled" in body
    assert [text["kind"] for text in texts(system)] == ["booking_confirmation", "cancellation"]


def test_the_booking_number_and_the_code_can_be_spoken(system):
    other_phone = "+16175550177"
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM, phone=other_phone)
    call = system.phone(caller="")
    call.start()
    reply = call.answer(digits="2")
    assert reply.gather["action"] == "/capture-booking-phone"
    reply = call.answer(speech="six one seven five five five zero one seven seven")
    assert reply.gather["action"] == "/capture-verification-code"
    words = "zero one two three four five six seven eight nine".split()
    reply = call.answer(speech=" ".join(words[int(digit)] for digit in code_texted_to(system, other_phone)))
    assert "Dr. Sarah Chen, Wednesday, December 2nd at 10 AM" in reply.text


def test_a_caller_id_failing_attestation_must_type_the_code(system):
    book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()
    status, _, body = call.post("/voice", {"StirVerstat": "TN-Validation-Failed-A"})
    assert status == 200
    call.pending_action = "/process-selection"
    reply = call.answer(digits="2")
    assert reply.gather["action"] == "/capture-booking-phone" and "Dr. Sarah Chen" not in reply.text
    call.answer(digits="6175550123#")
    reply = call.answer(digits=code_texted_to(system, CALLER))
    assert "Dr. Sarah Chen, Wednesday, December 2nd at 10 AM" in reply.text
