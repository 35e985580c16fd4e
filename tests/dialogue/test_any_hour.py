"""The booking, availability and reschedule flows at every hour that used to break tests: 06:30,
12:00, 16:55 and 23:59 clinic time, and both 2026 DST change days in Boston (8 March, 1 November).
Whatever the hour, every offered time is bookable (two hours' notice, within the doctor's hours) and
every flow finishes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.clock import FakeClock
from tests.dialogue.fakes import Call, MemoryClinic, at, riverside

HOURS = ["2026-12-03T06:30", "2026-12-03T12:00", "2026-12-03T16:55", "2026-12-03T23:59",
         "2026-03-08T06:30", "2026-03-08T23:59", "2026-11-01T06:30", "2026-11-01T23:59"]
BOSTON = ZoneInfo("America/New_York")


def offered_times_are_bookable(clinic: MemoryClinic, call: Call) -> None:
    for slot in call.session.offered:
        assert slot.start >= clinic.clock.now() + timedelta(hours=2)
        assert clinic.check(doctor=clinic.doctors(clinic.clinic)[slot.doctor_id - 1], start=slot.start, limit=1).free


@pytest.fixture(params=HOURS)
def clinic_at(request) -> MemoryClinic:
    return MemoryClinic(riverside(), FakeClock(at(request.param)))


def test_booking_whoever_is_free_at_any_hour(clinic_at):
    call = Call(clinic_at)
    call.start()
    call.press("1")
    call.say("whoever is free")
    assert call.asked == "choose_slot", call.heard
    offered_times_are_bookable(clinic_at, call)
    call.press("1")
    call.say("Jane Doe")
    call.say("12 Main Street")
    call.press("1")
    assert call.session.outcome == "booked"


def test_booking_a_named_time_at_any_hour(clinic_at):
    call = Call(clinic_at)
    call.start()
    call.say("I'd like to see Dr. Chen next Friday at 10am")
    call.say("Jane Doe")
    call.say("12 Main Street")
    assert call.asked == "confirm", call.heard
    call.press("1")
    booked = clinic_at.appointments[0].start.astimezone(BOSTON)
    assert (booked.weekday(), booked.hour) == (4, 10)


def test_availability_at_any_hour(clinic_at):
    call = Call(clinic_at)
    call.start()
    call.press("4")
    call.press("1")
    assert call.heard.startswith("The next free times with Dr. Sarah Chen are")
    offered_times_are_bookable(clinic_at, call)
    assert call.session.outcome == "enquiry_only"


def test_reschedule_at_any_hour(clinic_at):
    clinic_at.add_appointment(1, clinic_at.clock.now() + timedelta(days=3))
    call = Call(clinic_at)
    call.start()
    call.press("3")
    call.press("1")
    offered_times_are_bookable(clinic_at, call)
    call.press("1")
    call.press("1")
    assert call.session.outcome == "rescheduled"
