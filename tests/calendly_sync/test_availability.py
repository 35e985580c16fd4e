"""Availability offered to callers: local free slots that Calendly also offers, asked a week at a
time (the spec's limit); local slots alone while Calendly is down or not configured."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from services.calendly.availability_merge import MAX_WINDOW, weekly_windows
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, parse
from tests.calendly_sync.helpers import next_weekday_at


def slots(system, doctor_id=1, **query):
    response = system.internal("GET", "/calendly/availability", query_string={"doctor_id": doctor_id, **query})
    assert response.status_code == 200, response.get_json()
    return [datetime.fromisoformat(slot["start"]) for slot in response.get_json()["slots"]]


def test_only_slots_both_calendars_offer_are_offered(calendly_system, fake_calendly):
    nine = next_weekday_at(9)
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {nine + timedelta(hours=1), nine + timedelta(hours=3),
                                                 nine - timedelta(hours=2)}  # 07:00 is outside Dr. Chen's hours
    offered = slots(calendly_system,
                    **{"from": nine.isoformat(), "to": (nine + timedelta(hours=8)).isoformat(), "limit": 20})
    assert offered == [nine + timedelta(hours=1), nine + timedelta(hours=3)]


def test_nearest_slots_respect_calendly_too(calendly_system, fake_calendly):
    ten = next_weekday_at(10)
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {ten + timedelta(hours=2), ten + timedelta(days=1)}
    assert slots(calendly_system, near=ten.isoformat(), limit=3) == [ten + timedelta(hours=2), ten + timedelta(days=1)]


def test_calendly_down_offers_local_slots(calendly_system, fake_calendly):
    nine = next_weekday_at(9)
    fake_calendly.down = True
    offered = slots(calendly_system,
                    **{"from": nine.isoformat(), "to": (nine + timedelta(hours=2)).isoformat(), "limit": 10})
    assert offered == [nine + timedelta(minutes=30 * index) for index in range(4)]
    assert calendly_system.app.apps["calendly"].extensions["receptionist"].calendly.breaker.is_open
    sent = len(fake_calendly.sent)
    assert slots(calendly_system, near=nine.isoformat(), limit=2)
    assert len(fake_calendly.sent) == sent  # the open breaker spares Calendly and the caller the wait


def test_long_ranges_are_asked_a_week_at_a_time(calendly_system, fake_calendly):
    start = next_weekday_at(9)
    later = start + timedelta(days=20)
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {later}
    assert slots(calendly_system,
                 **{"from": start.isoformat(), "to": (later + timedelta(hours=1)).isoformat()}) == [later]
    queries = fake_calendly.requests_to("GET", "/event_type_available_times")
    assert len(queries) >= 3
    for query in queries:
        assert parse(query.query["end_time"][0]) - parse(query.query["start_time"][0]) <= MAX_WINDOW
        assert query.query["event_type"] == [CHEN_EVENT_TYPE]


def test_the_first_slots_need_only_the_first_week(calendly_system, fake_calendly):
    nine = next_weekday_at(9)
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {nine, nine + timedelta(minutes=30)}
    assert slots(calendly_system, **{"from": nine.isoformat(), "limit": 2}) == [nine, nine + timedelta(minutes=30)]
    assert len(fake_calendly.requests_to("GET", "/event_type_available_times")) <= 2


def test_unmapped_doctor_and_no_token_use_local_slots_only(calendly_system, fake_calendly, system):
    monday = next_weekday_at(8, weekday=0)
    assert slots(calendly_system, doctor_id=2, **{"from": monday.isoformat(), "limit": 1}) == [monday]
    assert fake_calendly.sent == []
    assert slots(system, doctor_id=1, **{"from": next_weekday_at(9).isoformat(), "limit": 1}) == [next_weekday_at(9)]


def test_weekly_windows_cover_the_range_without_gaps():
    start = next_weekday_at(13, 17)
    end = start + timedelta(days=31)
    windows = weekly_windows(start, end)
    assert windows[0][0] <= start and windows[-1][1] >= end
    assert all(first[1] == second[0] for first, second in pairwise(windows))
    assert all(window_end - window_start == MAX_WINDOW for window_start, window_end in windows)
