"""Checking availability by phone: the next three free slots of a doctor or of any doctor, booking one
of them by key, and what happens when nothing is free within the booking horizon."""

from __future__ import annotations

from sqlalchemy import update

from services.knowledge_base.models import Doctor
from shared.db import transaction
from tests.calls.conftest import appointments, recorded_call


def close_doctor_for_months(db_factory, name: str) -> None:
    """Give a doctor an exception that covers the whole booking horizon."""
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.name == name).values(
            exceptions=[{"start_date": "2026-11-01", "end_date": "2027-06-30"}]))


def test_reads_the_next_three_slots_and_books_one_by_keypad(system, clock):
    call = system.phone()
    call.start()
    reply = call.answer(digits="4")
    assert reply.gather["action"] == "/capture-availability-doctor" and "press 0 for any doctor" in reply.text
    reply = call.answer(digits="1")
    # 9 AM now + two hours' notice: the first bookable slot is 11 AM today
    assert ("The next free times with Dr. Sarah Chen are: today at 11 AM; today at 11:30 AM; today at 12 PM."
            in reply.text)
    assert "press 1, 2 or 3" in reply.text

    reply = call.answer(digits="2")
    assert "May I have your full name" in reply.text
    call.answer(speech="Jane Doe")
    call.answer(digits="1")
    reply = call.answer(speech="12 Main Street, Boston")
    assert "Dr. Sarah Chen, today at 11:30 AM, for Jane Doe" in reply.text
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen" in reply.text
    assert [(item["doctor"], item["start"]) for item in appointments(system)] == [
        ("Dr. Sarah Chen", "2026-11-30T16:30:00+00:00")]
    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert row["outcome"] == "booked" and "availability" in row["steps"]


def test_any_doctor_by_voice_reads_the_earliest_across_doctors(system, clock):
    call = system.phone()
    call.start()
    reply = call.answer(speech="when is the doctor available")
    assert reply.gather["action"] == "/capture-availability-doctor"
    reply = call.answer(speech="any doctor is fine")
    assert ("The next free times are: Dr. Sarah Chen, today at 11 AM; Dr. James Okafor, today at 11 AM; "
            "Dr. Sarah Chen, today at 11:30 AM.") in reply.text
    reply = call.answer(speech="the second one")
    assert "May I have your full name" in reply.text
    call.answer(speech="Jane Doe")
    call.answer(digits="1")
    reply = call.answer(speech="12 Main Street, Boston")
    assert "Dr. James Okafor, today at 11 AM" in reply.text


def test_doctor_by_spoken_name(system, clock):
    call = system.phone()
    call.start()
    call.answer(digits="4")
    reply = call.answer(speech="Doctor Lopez")
    # Dr. Lopez works Tuesday and Thursday afternoons
    assert ("The next free times with Dr. Maria Lopez are: tomorrow at 1 PM; tomorrow at 1:30 PM; tomorrow at 2 PM"
            in reply.text)


def test_listening_only_is_an_enquiry(system, clock):
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(digits="1")
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "enquiry_only"


def test_no_free_slot_offers_a_callback(system, clock, db_factory):
    close_doctor_for_months(db_factory, "Dr. Maria Lopez")
    call = system.phone()
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="3")
    assert "Dr. Maria Lopez has no free appointments in the next 60 days" in reply.text
    reply = call.answer(digits="2")
    assert "We'll call you back at the number ending in 0 1 2 3" in reply.text and reply.hung_up
    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert row["outcome"] == "callback_requested" and "callback_requested" in row["steps"]


def test_no_free_slot_then_staff_is_recorded_as_no_slots(system, clock, db_factory):
    close_doctor_for_months(db_factory, "Dr. Maria Lopez")
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(speech="Maria Lopez")
    reply = call.answer(speech="let me talk to the staff")
    assert reply.dialled == "+16175550199"
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "no_slots"


def test_menu_key_returns_to_the_menu(system, clock):
    call = system.phone()
    call.start()
    call.answer(digits="4")
    call.answer(digits="2")
    reply = call.answer(digits="0")
    assert reply.gather["action"] == "/process-selection"


def test_spring_forward_night_is_read_without_a_missing_or_extra_slot(system, clock, db_factory):
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.name == "Dr. Sarah Chen").values(
            weekly_hours=[{"day": "sun", "start": "00:00", "end": "04:00"}]))
    clock.move_to("2026-03-08T03:29:00+00:00")  # Saturday 10:29 PM EST; two hours' notice -> 00:30
    call = system.phone()
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="1")
    assert ("The next free times with Dr. Sarah Chen are: tomorrow at 12:30 AM; tomorrow at 1 AM; "
            "tomorrow at 1:30 AM.") in reply.text
    call.answer(digits="3")
    call.answer(speech="Jane Doe")
    call.answer(digits="1")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen for tomorrow at 1:30 AM" in reply.text
    assert appointments(system)[0]["start"] == "2026-03-08T06:30:00+00:00"
    clock.move_to("2026-03-08T04:29:00+00:00")  # 11:29 PM: 1:30 AM is taken, the next slots are past the gap
    call = system.phone(caller="+16175550144")
    call.start()
    call.answer(digits="4")
    reply = call.answer(digits="1")
    assert "tomorrow at 1:30 AM" not in reply.text
    assert "are: tomorrow at 3 AM; tomorrow at 3:30 AM; Sunday, March 15th at 12 AM." in reply.text
