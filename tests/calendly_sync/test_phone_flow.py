"""The whole flow with Calendly on: a slot booked on Calendly is not offered to a caller, the caller's
phone booking reaches Calendly through the queue, and its echo webhook changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, parse, webhook_body
from tests.calendly_sync.helpers import appointments, deliver, next_weekday_at, run_sync
from tests.conftest import CALLER


def spoken(moment: datetime) -> str:
    return f"{moment:%B} {moment.day} at {moment.hour % 12 or 12} {'am' if moment.hour < 12 else 'pm'}"


def test_caller_is_steered_around_a_calendly_booking_and_the_booking_syncs(calendly_system, fake_calendly, db_factory):
    ten = next_weekday_at(10)
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {ten + timedelta(minutes=30), ten + timedelta(hours=1)}
    grace = fake_calendly.book(CHEN_EVENT_TYPE, ten, "Grace Hopper", "grace@example.com", "+16175550177")
    assert deliver(calendly_system, webhook_body("invitee.created", grace)).get_json()["outcome"] == "created"

    call = calendly_system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech=spoken(ten))
    assert reply.text.startswith("Dr. Sarah Chen is booked then.")
    assert "1, 10:30 AM; or 2, 11 AM. Press 1 or 2" in reply.text
    call.answer(digits="1")
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street, Boston")
    reply = call.answer(digits="1")
    assert "You're booked with Dr. Sarah Chen" in reply.text

    assert run_sync(calendly_system) == {"done": 1}
    [pushed] = fake_calendly.requests_to("POST", "/invitees")
    assert parse(pushed.body["start_time"]) == ten + timedelta(minutes=30)
    assert pushed.body["invitee"]["text_reminder_number"] == CALLER
    ours = [row for row in appointments(db_factory) if row.source == "phone"][0]
    echo = webhook_body("invitee.created", fake_calendly.invitees[ours.calendly_invitee_uri])
    assert deliver(calendly_system, echo).get_json()["outcome"] == "known"
    assert sorted(row.source for row in appointments(db_factory)) == ["calendly", "phone"]
