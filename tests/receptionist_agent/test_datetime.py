"""Spoken dates and times resolve to the right wall-clock time and offset in the clinic's timezone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.receptionist_agent.spoken_datetime import interpret_datetime

SUNDAY_AFTERNOON = datetime.fromisoformat("2026-11-22T15:04:00-05:00")
NEW_YORK = "America/New_York"


@pytest.mark.parametrize(("text", "expected"), [
    ("tomorrow at 10", "2026-11-23T10:00:00-05:00"),
    ("next Tuesday at 3pm", "2026-11-24T15:00:00-05:00"),
    ("December 2nd at half past nine", "2026-12-02T09:30:00-05:00"),
    ("the 3rd at noon", "2026-12-03T12:00:00-05:00"),
    ("Friday morning", "2026-11-27T09:00:00-05:00"),
    ("quarter to four tomorrow", "2026-11-23T15:45:00-05:00"),
    ("in two weeks on Monday at 11", "2026-12-07T11:00:00-05:00"),
    ("ten thirty on Wednesday", "2026-11-25T10:30:00-05:00"),
    ("Thursday at nine oh five", "2026-11-26T09:05:00-05:00"),
    ("a week from Friday", "2026-12-04T09:00:00-05:00"),
    ("two weeks from Monday at 2", "2026-12-07T14:00:00-05:00"),
    ("to morrow at eleven", "2026-11-23T11:00:00-05:00"),
    ("12/15 at 2", "2026-12-15T14:00:00-05:00"),
])
def test_spoken_forms(text, expected):
    answer = interpret_datetime(text, NEW_YORK, SUNDAY_AFTERNOON)
    assert answer["value"] == expected
    assert 0 < answer["confidence"] <= 1


@pytest.mark.parametrize(("text", "hour"), [("at 1", 13), ("at 3", 15), ("at 7", 19), ("at 8", 8), ("at 10", 10),
                                            ("at 12", 12), ("at 10 pm", 22), ("at 7 in the morning", 7)])
def test_bare_hours_follow_the_clinic_day(text, hour):
    answer = interpret_datetime(f"Tuesday {text}", NEW_YORK, SUNDAY_AFTERNOON)
    assert datetime.fromisoformat(answer["value"]).hour == hour


def test_bare_date_means_nine_in_the_morning():
    assert interpret_datetime("December 2nd", NEW_YORK, SUNDAY_AFTERNOON)["value"] == "2026-12-02T09:00:00-05:00"


def test_date_without_year_that_has_passed_means_next_year():
    assert interpret_datetime("March 5th at 10", NEW_YORK, SUNDAY_AFTERNOON)["value"] == "2027-03-05T10:00:00-05:00"


def test_this_afternoon_is_two_pm_today():
    morning = datetime.fromisoformat("2026-06-10T09:30:00-07:00")
    assert interpret_datetime("this afternoon", "America/Los_Angeles", morning)["value"] == "2026-06-10T14:00:00-07:00"


@pytest.mark.parametrize(("text", "reason"), [
    ("yesterday at 3", "past"), ("last Monday", "past"), ("June 3rd 2025", "past"), ("this morning", "past"),
    ("purple monkey dishwasher", "no date"), ("February 30th", "no such date"), ("the 45th", "no such date"),
    ("tomorrow at 25 o'clock", "no such time"),
])
def test_past_and_nonsense_have_no_value_and_a_reason(text, reason):
    answer = interpret_datetime(text, NEW_YORK, SUNDAY_AFTERNOON)
    assert answer["value"] is None
    assert reason in answer["reason"]


def test_spring_forward_new_york():
    """2026-03-08: clocks go from 02:00 EST to 03:00 EDT."""
    thursday = datetime.fromisoformat("2026-03-05T10:00:00-05:00")
    assert interpret_datetime("Saturday at 11", NEW_YORK, thursday)["value"] == "2026-03-07T11:00:00-05:00"
    assert interpret_datetime("Sunday at 10", NEW_YORK, thursday)["value"] == "2026-03-08T10:00:00-04:00"
    # 02:30 does not exist that night: the clock time moves forward with the change.
    assert interpret_datetime("March 8th at 2:30 am", NEW_YORK, thursday)["value"] == "2026-03-08T03:30:00-04:00"
    saturday_night = datetime.fromisoformat("2026-03-07T22:00:00-05:00")
    assert interpret_datetime("tomorrow at 9", NEW_YORK, saturday_night)["value"] == "2026-03-08T09:00:00-04:00"


def test_fall_back_new_york():
    """2026-11-01: clocks go from 02:00 EDT back to 01:00 EST."""
    thursday = datetime.fromisoformat("2026-10-29T12:00:00-04:00")
    assert interpret_datetime("tomorrow at 3", NEW_YORK, thursday)["value"] == "2026-10-30T15:00:00-04:00"
    assert interpret_datetime("Sunday at 10", NEW_YORK, thursday)["value"] == "2026-11-01T10:00:00-05:00"
    assert interpret_datetime("November 2nd at 9", NEW_YORK, thursday)["value"] == "2026-11-02T09:00:00-05:00"


def test_now_is_taken_in_the_clinic_timezone():
    """A UTC `now` that is already Monday in UTC is still Sunday evening in New York."""
    utc_now = datetime.fromisoformat("2026-11-23T02:00:00+00:00")
    assert interpret_datetime("tomorrow at 10", NEW_YORK, utc_now)["value"] == "2026-11-23T10:00:00-05:00"


def test_default_now_is_the_current_time():
    zone = ZoneInfo(NEW_YORK)
    before = datetime.now(zone)
    answer = datetime.fromisoformat(interpret_datetime("tomorrow at 10", NEW_YORK)["value"])
    after = datetime.now(zone)
    assert (answer.date(), answer.hour) in {((moment + timedelta(days=1)).date(), 10) for moment in (before, after)}
