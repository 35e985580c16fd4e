"""The sync queue: phone bookings reach Calendly within its booking limits and are never lost;
cancellations and reschedules follow (book new, then cancel old, retried when it fails); a 403
sends the caller a single-use scheduling link by SMS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.calendly import sync
from services.calendly.models import BOOKED, CANCELLED, Appointment
from shared.db import transaction, utcnow
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, parse
from tests.calendly_sync.helpers import CHEN, appointment, book, deps, next_weekday_at, run_sync, tasks


def test_phone_booking_is_pushed_to_calendly_with_designs_fields(calendly_system, fake_calendly, db_factory):
    start = next_weekday_at(10)
    booked = book(calendly_system, start)
    assert [task.status for task in tasks(db_factory)] == ["pending"]
    assert run_sync(calendly_system) == {"done": 1}
    body = fake_calendly.requests_to("POST", "/invitees")[0].body
    assert body == {"event_type": CHEN_EVENT_TYPE, "start_time": body["start_time"], "invitee": {
        "name": "Ada Lovelace", "email": "bookings@riverside.example", "timezone": "America/New_York",
        "text_reminder_number": "+16175550123"}}
    assert parse(body["start_time"]) == start
    stored = appointment(db_factory, booked["id"])
    invitee = fake_calendly.invitees[stored.calendly_invitee_uri]
    assert stored.calendly_event_uri == invitee["event"]
    assert (stored.cancel_url, stored.reschedule_url) == (invitee["cancel_url"], invitee["reschedule_url"])
    assert run_sync(calendly_system) == {}


def test_callers_email_is_used_when_given(calendly_system, fake_calendly):
    book(calendly_system, next_weekday_at(11), email="ada@example.com")
    run_sync(calendly_system)
    assert fake_calendly.requests_to("POST", "/invitees")[0].body["invitee"]["email"] == "ada@example.com"


def test_booking_limit_per_minute_defers_the_eleventh_booking_which_syncs_later(calendly_system, fake_calendly,
                                                                                 db_factory):
    starts = [next_weekday_at(9) + timedelta(minutes=30 * index) for index in range(11)]
    for index, start in enumerate(starts):
        book(calendly_system, start, phone=f"+161755501{index:02d}")
    now = utcnow()
    assert run_sync(calendly_system, now=now) == {"done": 10, "deferred": 1}
    assert len(fake_calendly.requests_to("POST", "/invitees")) == 10
    waiting = [task for task in tasks(db_factory) if task.status == "pending"]
    assert len(waiting) == 1 and (now + timedelta(seconds=55) <= waiting[0].next_attempt_at
                                  <= now + timedelta(seconds=61))
    assert all(row.status == BOOKED for row in _all(db_factory))
    assert run_sync(calendly_system, now=now + timedelta(seconds=30)) == {}
    assert run_sync(calendly_system, now=now + timedelta(seconds=61)) == {"done": 1}
    assert all(row.calendly_invitee_uri for row in _all(db_factory))


def test_hourly_and_daily_limits_are_counted_too(db_factory, calendly_system):
    limits = sync.BookingLimits(((100, timedelta(minutes=1)), (2, timedelta(hours=1)), (3, timedelta(days=1))))
    for index in range(2):
        book(calendly_system, next_weekday_at(9) + timedelta(minutes=30 * index), phone=f"+161755502{index:02d}")
    now = utcnow()
    assert run_sync(calendly_system, now=now, limits=limits) == {"done": 2}
    with transaction(db_factory) as db:
        assert sync.booking_allowed_at(db=db, limits=limits, now=now) == now + timedelta(hours=1)


def test_calendly_429_keeps_the_booking_and_retries_after_x_ratelimit_reset(calendly_system, fake_calendly, db_factory):
    booked = book(calendly_system, next_weekday_at(13))
    fake_calendly.bookings_left, fake_calendly.booking_reset_seconds = 0, 120
    now = utcnow()
    assert run_sync(calendly_system, now=now) == {"rate_limited": 1}
    assert appointment(db_factory, booked["id"]).status == BOOKED
    assert tasks(db_factory)[0].next_attempt_at == now + timedelta(seconds=120)
    fake_calendly.bookings_left = None
    assert run_sync(calendly_system, now=now + timedelta(seconds=60)) == {}
    assert run_sync(calendly_system, now=now + timedelta(seconds=121)) == {"done": 1}
    assert appointment(db_factory, booked["id"]).calendly_invitee_uri


def test_calendly_down_keeps_bookings_and_the_open_breaker_pauses_the_queue(calendly_system, fake_calendly, db_factory,
                                                                             breaker_clock):
    first = book(calendly_system, next_weekday_at(9))
    second = book(calendly_system, next_weekday_at(10), phone="+16175550124")
    fake_calendly.down = True
    now = utcnow()
    assert run_sync(calendly_system, now=now) == {"unavailable": 1}
    assert len(fake_calendly.sent) == 3  # one booking, retried twice; then the breaker opened
    assert [task.status for task in tasks(db_factory)] == ["pending", "pending"]
    fake_calendly.down = False
    breaker_clock.now += 31
    later = now + timedelta(minutes=2)
    assert run_sync(calendly_system, now=later) == {"done": 2}
    assert appointment(db_factory, first["id"]).calendly_invitee_uri
    assert appointment(db_factory, second["id"]).calendly_invitee_uri


def test_403_sends_the_caller_a_single_use_scheduling_link(calendly_system, fake_calendly, db_factory):
    booked = book(calendly_system, next_weekday_at(14))
    fake_calendly.booking_forbidden = True
    assert run_sync(calendly_system) == {"link_sent": 1}
    link_request = fake_calendly.requests_to("POST", "/scheduling_links")[0].body
    assert link_request == {"max_event_count": 1, "owner": CHEN_EVENT_TYPE, "owner_type": "EventType"}
    url = tasks(db_factory)[0].payload["booking_url"]
    texts = calendly_system.outbox.getvalue()
    assert url.startswith("https://calendly.com/d/") and url in texts and "to +16175550123" in texts
    assert appointment(db_factory, booked["id"]).status == BOOKED
    assert run_sync(calendly_system) == {}
    assert len(fake_calendly.requests_to("POST", "/scheduling_links")) == 1


def test_cancellation_cancels_the_calendly_event_with_a_reason(calendly_system, fake_calendly, db_factory):
    booked = book(calendly_system, next_weekday_at(15))
    run_sync(calendly_system)
    with transaction(db_factory) as db:
        row = db.get(Appointment, booked["id"])
        row.status, row.version = CANCELLED, row.version + 1
        sync.enqueue_cancellation(db=db, appointment=row)
    assert run_sync(calendly_system) == {"done": 1}
    cancellation = fake_calendly.requests_to("POST", "/scheduled_events/")[0]
    event_id = appointment(db_factory, booked["id"]).calendly_event_uri.rsplit("/", 1)[-1]
    assert cancellation.path == f"/scheduled_events/{event_id}/cancellation"
    assert cancellation.body == {"reason": sync.CANCEL_REASON}
    assert fake_calendly.events[event_id]["status"] == "canceled"


def test_cancelled_before_it_was_pushed_never_reaches_calendly(calendly_system, fake_calendly, db_factory):
    booked = book(calendly_system, next_weekday_at(15, 30))
    with transaction(db_factory) as db:
        row = db.get(Appointment, booked["id"])
        row.status = CANCELLED
        assert sync.enqueue_cancellation(db=db, appointment=row) is None
    assert run_sync(calendly_system) == {"superseded": 1}
    assert fake_calendly.sent == []


def test_reschedule_books_the_new_time_first_then_cancels_the_old_retrying_a_failed_cancel(
        calendly_system, fake_calendly, db_factory, breaker_clock):
    old_start, new_start = next_weekday_at(10), next_weekday_at(16)
    booked = book(calendly_system, old_start)
    run_sync(calendly_system)
    old_event = appointment(db_factory, booked["id"]).calendly_event_uri
    doctor = deps(calendly_system).doctors.doctor(CHEN)
    with transaction(db_factory) as db:
        row = db.get(Appointment, booked["id"])
        row.starts_at, row.ends_at, row.version = new_start, new_start + timedelta(minutes=30), row.version + 1
        sync.enqueue_reschedule(db=db, appointment=row, doctor=doctor)
    fake_calendly.cancellation_failures = 3
    fake_calendly.sent.clear()
    now = utcnow()
    assert run_sync(calendly_system, now=now) == {"done": 1, "unavailable": 1}
    assert [(item.method, item.path.split("/")[1]) for item in fake_calendly.sent] == [
        ("POST", "invitees"), ("POST", "scheduled_events"), ("POST", "scheduled_events"), ("POST", "scheduled_events")]
    moved = appointment(db_factory, booked["id"])
    assert moved.calendly_event_uri != old_event and parse(fake_calendly.sent[0].body["start_time"]) == new_start
    assert fake_calendly.events[old_event.rsplit("/", 1)[-1]]["status"] == "active"
    breaker_clock.now += 31
    assert run_sync(calendly_system, now=now + timedelta(minutes=5)) == {"done": 1}
    assert fake_calendly.events[old_event.rsplit("/", 1)[-1]]["status"] == "canceled"


def test_without_calendly_token_nothing_is_queued(system, db_factory):
    book(system, next_weekday_at(10))
    assert tasks(db_factory) == []


def _all(db_factory):
    with transaction(db_factory) as db:
        return list(db.scalars(select(Appointment)))


def test_no_email_anywhere_fails_the_push_clearly_without_asking_calendly(calendly_system, fake_calendly, db_factory):
    from sqlalchemy import update

    from services.knowledge_base.models import Clinic

    with transaction(db_factory) as db:
        db.execute(update(Clinic).values(booking_email=None))
    booked = book(calendly_system, next_weekday_at(10))
    assert run_sync(calendly_system) == {"failed": 1}
    assert "booking_email" in tasks(db_factory)[0].last_error and fake_calendly.sent == []
    assert appointment(db_factory, booked["id"]).status == BOOKED


def test_a_task_that_crashes_is_kept_for_later_and_the_queue_goes_on(calendly_system, fake_calendly, db_factory,
                                                                      monkeypatch):
    first = book(calendly_system, next_weekday_at(10))
    book(calendly_system, next_weekday_at(11), phone="+16175550124")
    real = sync._push_booking

    def flaky(**kwargs):
        if kwargs["task"].appointment_id == first["id"]:
            raise KeyError("event_type")
        return real(**kwargs)

    monkeypatch.setattr(sync, "_push_booking", flaky)
    assert run_sync(calendly_system) == {"error": 1, "done": 1}
    crashed = tasks(db_factory)[0]
    assert (crashed.status == "pending" and crashed.last_error == "unexpected KeyError"
            and crashed.next_attempt_at > utcnow())


def test_enqueueing_the_same_change_twice_adds_one_task(calendly_system, fake_calendly, db_factory):
    booked = book(calendly_system, next_weekday_at(10))
    run_sync(calendly_system)
    with transaction(db_factory) as db:
        row = db.get(Appointment, booked["id"])
        row.status = CANCELLED
        first = sync.enqueue_cancellation(db=db, appointment=row)
        assert sync.enqueue_cancellation(db=db, appointment=row).id == first.id
    assert [task.kind for task in tasks(db_factory)] == ["book", "cancel"]
