"""Edges of the slot arithmetic the property tests reach only by luck: a doctor's JSON turned into a
schedule with the clinic defaults, the window's end excluded, and overlapping bookings merged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.calendly.scheduling import Schedule, free_slots, grid_slots, slot_problem
from tests.scheduling.test_slot_rules import NEW_YORK, schedule

UTC = UTC
MONDAY_9_TO_12 = [{"day": "mon", "start": "09:00", "end": "12:00"}]
MONDAY = datetime(2026, 12, 7, tzinfo=NEW_YORK)


def at(hour: int, minute: int = 0) -> datetime:
    return MONDAY.replace(hour=hour, minute=minute).astimezone(UTC)


def test_a_doctor_without_clinic_limits_gets_two_hours_lead_and_sixty_days():
    doctor = {"weekly_hours": MONDAY_9_TO_12, "exceptions": None,
              "clinic": {"timezone": "America/New_York", "slot_minutes": 30}}
    built = Schedule.from_doctor(doctor)
    assert built == Schedule("America/New_York", 30, MONDAY_9_TO_12, [], 120, 60)
    assert Schedule("UTC", 15, [], []) == Schedule("UTC", 15, [], [], min_lead_minutes=120, horizon_days=60)
    doctor["exceptions"] = [{"date": "2026-12-07", "closed": True}]
    doctor["clinic"] |= {"min_lead_minutes": 30, "horizon_days": 14}
    assert Schedule.from_doctor(doctor) == Schedule("America/New_York", 30, MONDAY_9_TO_12,
                                                    doctor["exceptions"], 30, 14)


def test_the_window_includes_its_start_and_excludes_its_end():
    starts = [slot.start for slot in grid_slots(schedule(MONDAY_9_TO_12), at(10), at(11))]
    assert starts == [at(10), at(10, 30)]


def test_overlapping_bookings_block_every_slot_they_touch():
    booked = [(at(9), at(10, 20)), (at(9, 30), at(10, 10)), (at(11, 30), at(11, 40))]
    free = free_slots(schedule(MONDAY_9_TO_12, min_lead_minutes=0), booked, at(9), at(12), at(8))
    assert [slot.start for slot in free] == [at(10, 30), at(11)]


def test_a_booking_that_ends_as_a_slot_starts_does_not_hide_the_next_one():
    booked = [(at(9), at(9, 30)), (at(9, 40), at(9, 50))]
    free = free_slots(schedule(MONDAY_9_TO_12, min_lead_minutes=0), booked, at(9), at(11), at(8))
    assert [slot.start for slot in free] == [at(10), at(10, 30)]


def test_the_exact_edges_of_the_bookable_window():
    rules = schedule(MONDAY_9_TO_12, min_lead_minutes=60, horizon_days=1)
    assert slot_problem(schedule(MONDAY_9_TO_12, min_lead_minutes=0), at(10), at(10)).code == "past"
    assert slot_problem(rules, at(10), at(9)) is None, "exactly the lead time ahead is bookable"
    assert slot_problem(rules, at(10), at(9, 1)).code == "too_soon"
    assert slot_problem(rules, at(10), at(10) - timedelta(days=1) + timedelta(minutes=1)) is None
    assert slot_problem(rules, at(10), at(10) - timedelta(days=1)).code == "beyond_horizon"


def test_the_end_of_the_working_day_is_a_day_off_not_off_grid():
    rules = schedule(MONDAY_9_TO_12, min_lead_minutes=0)
    assert slot_problem(rules, at(12), at(8)).code == "day_off"
    assert slot_problem(rules, at(11, 59), at(8)).code == "off_grid"
    assert slot_problem(rules, at(11, 30), at(8)) is None
