"""Free-slot rules, pure: the grid in the clinic's timezone across the 2026 DST changes of
America/New_York, lead time, horizon, exceptions, and why a time cannot be booked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.calendly.scheduling import Schedule, SlotProblem, free_slots, grid_slots, nearest, slot_problem

NEW_YORK = ZoneInfo("America/New_York")
OVERNIGHT_SUNDAY = [{"day": "sun", "start": "00:00", "end": "04:00"}]
DAYTIME_SUNDAY = [{"day": "sun", "start": "09:00", "end": "17:00"}]


def schedule(hours, exceptions=(), **settings) -> Schedule:
    return Schedule("America/New_York", 30, list(hours), list(exceptions), **settings)


def local_day(year: int, month: int, day: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, day, tzinfo=NEW_YORK)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def assert_back_to_back(slots) -> None:
    starts = [slot.start for slot in slots]
    assert len(set(starts)) == len(starts), "a slot is doubled"
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    assert all(later.start >= earlier.end for earlier, later in pairwise(slots))


def test_spring_forward_day_keeps_every_real_half_hour():
    slots = list(grid_slots(schedule(OVERNIGHT_SUNDAY), *local_day(2026, 3, 8)))
    assert [slot.start.astimezone(NEW_YORK).strftime("%H:%M %Z") for slot in slots] == [
        "00:00 EST", "00:30 EST", "01:00 EST", "01:30 EST", "03:00 EDT", "03:30 EDT"]
    assert_back_to_back(slots)
    # 01:30 EST to 03:00 EDT is one real half hour: nothing vanished
    assert slots[4].start - slots[3].start == timedelta(minutes=30)


def test_fall_back_day_has_both_one_o_clocks_once_each():
    slots = list(grid_slots(schedule(OVERNIGHT_SUNDAY), *local_day(2026, 11, 1)))
    assert [slot.start.astimezone(NEW_YORK).strftime("%H:%M %Z") for slot in slots] == [
        "00:00 EDT", "00:30 EDT", "01:00 EDT", "01:30 EDT", "01:00 EST", "01:30 EST",
        "02:00 EST", "02:30 EST", "03:00 EST", "03:30 EST"]
    assert_back_to_back(slots)
    assert slots[-1].end == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # 04:00 EST


@pytest.mark.parametrize(("day", "first_utc"), [((2026, 3, 8), "13:00"), ((2026, 11, 1), "14:00"),
                                                ((2026, 3, 1), "14:00"), ((2026, 10, 25), "13:00")])
def test_daytime_hours_on_and_around_dst_days_are_sixteen_local_slots(day, first_utc):
    slots = list(grid_slots(schedule(DAYTIME_SUNDAY), *local_day(*day)))
    assert len(slots) == 16
    assert slots[0].start.strftime("%H:%M") == first_utc
    assert [slot.start.astimezone(NEW_YORK).strftime("%H:%M") for slot in slots][::4] == [
        "09:00", "11:00", "13:00", "15:00"]


def test_a_week_across_the_change_has_no_gap_or_double():
    every_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    hours = [{"day": day, "start": "09:00", "end": "17:00"} for day in every_day]
    start = datetime(2026, 10, 29, tzinfo=NEW_YORK)
    slots = list(grid_slots(schedule(hours), start, start + timedelta(days=7)))
    assert len(slots) == 7 * 16
    by_day: dict = {}
    for slot in slots:
        local = slot.start.astimezone(NEW_YORK)
        by_day.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    assert len({tuple(times) for times in by_day.values()}) == 1


def test_lead_time_and_horizon_bound_the_free_slots():
    weekdays = [{"day": day, "start": "09:00", "end": "17:00"} for day in ("mon", "tue", "wed", "thu", "fri")]
    rules = schedule(weekdays, min_lead_minutes=120, horizon_days=60)
    now = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)  # Monday 9:05 AM
    slots = free_slots(rules, [], now - timedelta(days=1), now + timedelta(days=90), now)
    assert slots[0].start == datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 11:30: 11:00 is under two hours away
    assert slots[-1].start < now + timedelta(days=60)
    assert slots[-1].start == datetime(2027, 1, 29, 14, 0, tzinfo=UTC)  # Friday 9 AM, five minutes inside 60 days
    too_soon = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert slot_problem(rules, too_soon, now) == SlotProblem("too_soon", "bookings need at least 120 minutes' notice")
    assert slot_problem(rules, slots[0].start, now) is None
    assert slot_problem(rules, slots[-1].start, now) is None
    beyond = datetime(2027, 1, 29, 14, 30, tzinfo=UTC)  # Friday 9:30 AM, past 60 days
    assert slot_problem(rules, beyond, now) == SlotProblem("beyond_horizon", "bookings are open only 60 days ahead")


def test_booked_appointments_are_not_free():
    rules = schedule(DAYTIME_SUNDAY, min_lead_minutes=0)
    start, end = local_day(2026, 12, 6)
    booked = [(datetime(2026, 12, 6, 14, 30, tzinfo=UTC), datetime(2026, 12, 6, 15, 30, tzinfo=UTC))]
    slots = free_slots(rules, booked, start, end, datetime(2026, 12, 1, tzinfo=UTC))
    assert len(slots) == 14
    assert all(not slot.overlaps(*booked[0]) for slot in slots)


def test_exceptions_close_days_or_replace_their_hours():
    rules = schedule(DAYTIME_SUNDAY, [
        {"date": "2026-12-06"},
        {"start_date": "2026-12-13", "end_date": "2026-12-13", "start": "10:00", "end": "11:00"},
        {"date": "2026-12-15", "start": "08:00", "end": "09:00"},
    ])
    assert list(grid_slots(rules, *local_day(2026, 12, 6))) == []
    special = grid_slots(rules, *local_day(2026, 12, 13))
    assert [slot.start.astimezone(NEW_YORK).strftime("%H:%M") for slot in special] == ["10:00", "10:30"]
    assert len(list(grid_slots(rules, *local_day(2026, 12, 15)))) == 2  # a Tuesday opened specially
    assert len(list(grid_slots(rules, *local_day(2026, 12, 20)))) == 16


def test_reasons_a_time_cannot_be_booked():
    rules = schedule(DAYTIME_SUNDAY)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert slot_problem(rules, datetime(2026, 11, 29, 15, 0, tzinfo=UTC), now) == SlotProblem(
        "past", "that time is in the past")
    off_grid, monday = datetime(2026, 12, 6, 15, 15, tzinfo=UTC), datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert slot_problem(rules, off_grid, now) == SlotProblem("off_grid", "appointments start on the 30-minute grid")
    assert slot_problem(rules, monday, now) == SlotProblem("day_off", "the doctor does not work at Monday 10:00")
    assert slot_problem(rules, datetime(2026, 12, 6, 15, 0, tzinfo=UTC), now) is None


def test_nearest_returns_the_closest_in_time_order():
    rules = schedule(DAYTIME_SUNDAY, min_lead_minutes=0)
    slots = list(grid_slots(rules, *local_day(2026, 12, 6)))
    target = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)  # 1 PM
    assert [slot.start.astimezone(NEW_YORK).strftime("%H:%M") for slot in nearest(slots, target, 3)] == [
        "12:30", "13:00", "13:30"]


@given(st.lists(st.tuples(st.integers(0, 7 * 48), st.integers(1, 6)), max_size=40))
def test_free_slots_are_exactly_the_grid_slots_no_booking_touches(bookings):
    overlapping_mondays = [{"day": "mon", "start": "09:00", "end": "12:00"},
                           {"day": "mon", "start": "11:00", "end": "17:00"}]
    rules = schedule([*overlapping_mondays, *OVERNIGHT_SUNDAY], min_lead_minutes=0)
    week_start = datetime(2026, 10, 26, 4, 0, tzinfo=UTC)  # a week that includes the fall-back Sunday
    booked = [(week_start + timedelta(minutes=30 * slot), week_start + timedelta(minutes=30 * slot + 20 * length))
              for slot, length in bookings]
    end = week_start + timedelta(days=8)
    result = free_slots(rules, booked, week_start, end, week_start - timedelta(days=1))
    grid = sorted(set(grid_slots(rules, week_start, end)), key=lambda slot: slot.start)
    assert result == [slot for slot in grid if not any(slot.overlaps(*busy) for busy in booked)]
