"""Checking availability by phone: the next free times of a doctor, a specialty or anyone, booking one
of them by key or words, and what happens when nothing is free within the booking horizon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from services.knowledge_base.models import Doctor
from shared.db import transaction
from tests.calls.conftest import appointments, recorded_call


def close_doctor_for_months(db_factory, name: str) -> None:
    """Give a doctor an exception that covers the whole booking horizon."""
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.name == name).values(
            exceptions=[{"start_date": "2026-11-01", "end_date": "2027-06-30"}]))


def test_reads_the_next_three_slots_and_books_one_by_keypad(system):
    call = system.phone()
    call.start()
    reply = call.answer(digits="4")
    assert reply.gather["action"] == "/capture-doctor-name" and "0 for anyone" in reply.text
    reply = call.answer(digits="1")
    # 9 AM now + two hours' notice: the first bookable slot is 11 AM today
    assert reply.text == ("The next free times with Dr. Sarah Chen are: today at: 1, 11 AM; 2, 11:30 AM; or 3, 12 PM. "
                          "To book one, press 1, 2 or 3; 9 for later times; or 0 for the menu.")
    reply = call.answer(digits="2")
    assert reply.text == "Please say your full name."
    call.answer(speech="Jane Doe")
    reply = call.answer(speech="12 Main Street, Boston")
    assert reply.text.startswith("Dr. Sarah Chen, today at 11:30 AM, for Jane Doe")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen" in reply.text
    assert [(item["doctor"], item["start"]) for item in appointments(system)] == [
        ("Dr. Sarah Chen", "2026-11-30T16:30:00+00:00")]
    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert row["outcome"] == "booked" and row["steps"][:3] == ["greeting", "menu", "availability"]


def test_later_times_by_key_nine(system):
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(digits="1")
    reply = call.answer(digits="9")
    assert reply.text.startswith("The next free times with Dr. Sarah Chen are: today at: 1, 12:30 PM; 2, 1 PM; or 3, "
                                 "1:30 PM.")


def test_any_doctor_by_voice_reads_the_earliest_across_doctors(system):
    call = system.phone()
    call.start()
    reply = call.answer(speech="when is the doctor available")
    assert reply.gather["action"] == "/capture-doctor-name"
    reply = call.answer(speech="any doctor is fine")
    assert reply.text.startswith("The next free times are: today at: 1, Dr. Sarah Chen, 11 AM; "
                                 "2, Dr. James Okafor, 11 AM; or 3, Dr. Sarah Chen, 11:30 AM.")
    reply = call.answer(speech="the second one")
    assert reply.text == "Please say your full name."
    call.answer(speech="Jane Doe")
    reply = call.answer(speech="12 Main Street, Boston")
    assert reply.text.startswith("Dr. James Okafor, today at 11 AM")


def test_a_specialty_in_the_opening_sentence(system):
    call = system.phone()
    call.start()
    reply = call.answer(speech="when can I see the heart doctor")
    # Dr. Lopez works Tuesday and Thursday afternoons
    assert reply.text.startswith("That's Dr. Maria Lopez, Cardiology. The next free times with Dr. Maria Lopez are: "
                                 "tomorrow at: 1, 1 PM; 2, 1:30 PM; or 3, 2 PM.")


def test_listening_only_is_an_enquiry(system):
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(digits="1")
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "enquiry_only"


def test_no_free_slot_offers_a_callback(system, db_factory):
    close_doctor_for_months(db_factory, "Dr. Maria Lopez")
    call = system.phone()
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="3")
    assert reply.text.startswith("I'm sorry, Dr. Maria Lopez has no free appointments in the next 60 days. "
                                 "Press 1 to speak to our staff, or 2 for a call back")
    reply = call.answer(digits="2")
    assert "We'll call you back at the number ending in 0 1 2 3 as soon as a time opens up" in reply.text
    assert reply.hung_up
    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert (row["outcome"], row["outcome_reason"]) == ("callback_requested", "no_slots")
    assert "callback_requested" in row["steps"]


def test_no_free_slot_then_staff_is_recorded_as_no_slots(system, db_factory):
    close_doctor_for_months(db_factory, "Dr. Maria Lopez")
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(speech="Maria Lopez")
    reply = call.answer(speech="let me talk to the staff")
    assert reply.dialled == "+16175550199"
    assert reply.documents[0].find("Dial/Number").get("url") == "/staff-whisper?reason=no_slots"
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "no_slots"


def test_no_free_slot_after_hours_is_a_callback_without_asking(system, db_factory):
    close_doctor_for_months(db_factory, "Dr. Maria Lopez")
    system.clock.set(datetime.fromisoformat("2026-11-30T23:30:00+00:00"))  # 6:30 PM in Boston: closed
    call = system.phone()
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="3")
    assert "no free appointments" in reply.text and "as soon as a time opens up" in reply.text and reply.hung_up


def test_menu_key_returns_to_the_menu(system):
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(digits="2")
    reply = call.answer(digits="0")
    assert reply.gather["action"] == "/process-selection" and reply.text.startswith("Is there anything else?")


def test_spring_forward_night_is_read_without_a_missing_or_extra_slot(system, db_factory):
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.name == "Dr. Sarah Chen").values(
            weekly_hours=[{"day": "sun", "start": "00:00", "end": "04:00"}]))
    system.clock.set(datetime.fromisoformat("2026-03-08T03:29:00+00:00"))  # Sat 10:29 PM EST; +2 h -> 00:30
    call = system.phone()
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="1")
    assert reply.text.startswith("The next free times with Dr. Sarah Chen are: tomorrow at: 1, 12:30 AM; "
                                 "2, 1 AM; or 3, 1:30 AM.")
    call.answer(digits="3")
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen for tomorrow at 1:30 AM" in reply.text
    assert appointments(system)[0]["start"] == "2026-03-08T06:30:00+00:00"
    system.clock.set(datetime.fromisoformat("2026-03-08T04:29:00+00:00"))  # 11:29 PM: 1:30 AM taken, past the gap
    call = system.phone(caller="+16175550144")
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="1")
    assert "1:30 AM" not in reply.text
    assert reply.text.startswith("The next free times with Dr. Sarah Chen are: 1, tomorrow at 3 AM; "
                                 "2, tomorrow at 3:30 AM; or 3, Sunday, March 15th at 12 AM.")
