"""Reminders: wall-clock lead time in the clinic's timezone (across DST), quiet hours deferred not
dropped, idempotent across runs and concurrent runners, cancelled and moved appointments skipped."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.calendly.models import Appointment, NotificationOutbox
from services.calendly.outbox import dispatch_pending
from services.calendly.reminders import record_due_reminders, reminder_send_time, run_reminders
from services.knowledge_base.models import Clinic
from shared.db import transaction
from tests.messaging.conftest import PATIENT, insert_appointment

QUIET = (datetime.strptime("21:00", "%H:%M").time(), datetime.strptime("08:00", "%H:%M").time())


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _run(system, now: datetime) -> int:
    return run_reminders(system.calendly, now=now)


def _set_options(db_factory, **options):
    with transaction(db_factory) as db:
        clinic = db.scalars(select(Clinic).where(Clinic.slug == "riverside")).one()
        clinic.options = {**(clinic.options or {}), **options}


def test_reminder_time_is_wall_clock_across_spring_forward():
    # Sunday 8 March 2026, 10:00 EDT (the clocks sprang forward at 02:00 that morning).
    start = _utc(2026, 3, 8, 14)
    assert reminder_send_time(start, "America/New_York", 24, QUIET) == _utc(2026, 3, 7, 15)  # 10:00 EST


def test_reminder_time_is_wall_clock_across_fall_back():
    start = _utc(2026, 11, 1, 15)  # Sunday 1 November 2026, 10:00 EST
    assert reminder_send_time(start, "America/New_York", 24, QUIET) == _utc(2026, 10, 31, 14)  # 10:00 EDT


def test_quiet_hours_defer_to_the_morning_or_pull_before_the_evening():
    # 09:00 visit, 2 h reminder -> 07:00 is quiet -> 08:00.
    assert reminder_send_time(_utc(2026, 6, 10, 13), "America/New_York", 2, QUIET) == _utc(2026, 6, 10, 12)
    # 08:00 visit, 2 h reminder -> 06:00 quiet, 08:00 would be too late -> just before 21:00 the evening before.
    assert reminder_send_time(_utc(2026, 6, 10, 12), "America/New_York", 2, QUIET) == _utc(2026, 6, 10, 0, 59)


def test_reminder_across_dst_is_sent_at_the_local_time_and_says_the_local_time(sms_system, db_factory):
    insert_appointment(db_factory, starts_at=_utc(2026, 3, 8, 14))
    assert _run(sms_system, _utc(2026, 3, 7, 14, 30)) == 0  # 24 real hours before, but 09:30 local
    assert _run(sms_system, _utc(2026, 3, 7, 15, 0)) == 1
    [body] = sms_system.twilio.bodies_to(PATIENT)
    assert body.startswith("Reminder: Hi Jane,") and "Sunday, March 8th at 10 AM" in body
    assert "Reply C to confirm" in body and "X to cancel" in body
    assert _run(sms_system, _utc(2026, 3, 7, 16, 0)) == 0  # idempotent across runs
    assert len(sms_system.twilio.messages) == 1


def test_quiet_hours_defer_and_do_not_drop(sms_system, db_factory):
    _set_options(db_factory, reminder_hours=12)
    insert_appointment(db_factory, starts_at=_utc(2026, 6, 10, 13))  # 09:00 EDT -> due 21:00 the day before
    assert _run(sms_system, _utc(2026, 6, 10, 1, 0)) == 0  # 21:00 local: quiet
    assert _run(sms_system, _utc(2026, 6, 10, 11, 59)) == 0  # 07:59 local: still quiet
    assert _run(sms_system, _utc(2026, 6, 10, 12, 0)) == 1  # 08:00 local
    assert len(sms_system.twilio.messages) == 1


def test_clinic_quiet_hours_setting_is_used(sms_system, db_factory):
    _set_options(db_factory, quiet_hours="10:00-12:00")
    insert_appointment(db_factory, starts_at=_utc(2026, 6, 10, 15))  # 11:00 EDT -> due 11:00 the day before
    assert _run(sms_system, _utc(2026, 6, 9, 15, 30)) == 0
    assert _run(sms_system, _utc(2026, 6, 9, 16, 0)) == 1


def test_cancelled_and_moved_appointments_get_no_stale_reminder(sms_system, db_factory):
    cancelled = insert_appointment(db_factory, starts_at=_utc(2026, 6, 10, 14), status="cancelled")
    moved = insert_appointment(db_factory, starts_at=_utc(2026, 6, 10, 15), phone="+16175550124")
    now = _utc(2026, 6, 9, 16)
    deps = sms_system.calendly
    assert record_due_reminders(db_factory=db_factory, doctors=deps.doctors, now=now) == 1  # v1 of `moved`
    with transaction(db_factory) as db:  # moved before its reminder went out: new time, new version
        appointment = db.get(Appointment, moved)
        appointment.starts_at, appointment.ends_at = _utc(2026, 6, 11, 15), _utc(2026, 6, 11, 15, 30)
        appointment.version, appointment.updated_at = 2, now
    dispatch_pending(db_factory=db_factory, publisher=deps.publisher, now=now)
    assert sms_system.twilio.messages == []
    with transaction(db_factory) as db:
        [entry] = db.scalars(select(NotificationOutbox)).all()
        assert entry.delivered_at is not None and entry.last_error.startswith("skipped")
        assert db.get(Appointment, cancelled).status == "cancelled"
    assert _run(sms_system, _utc(2026, 6, 10, 16)) == 1  # the new version's reminder, a day before it
    [body] = sms_system.twilio.bodies_to("+16175550124")
    assert "Thursday, June 11th at 11 AM" in body


def test_booked_after_the_reminder_time_gets_no_reminder(sms_system, db_factory):
    start = _utc(2026, 6, 10, 15)
    insert_appointment(db_factory, starts_at=start, created_at=start - timedelta(hours=3))
    assert _run(sms_system, start - timedelta(hours=2)) == 0


def test_two_reminder_runners_at_once_send_each_reminder_once(sms_system, db_factory):
    starts = [_utc(2026, 6, 10, 13) + timedelta(minutes=30 * index) for index in range(12)]
    for index, start in enumerate(starts):
        insert_appointment(db_factory, starts_at=start, phone=f"+1617555{index + 200:04d}")
    now = _utc(2026, 6, 9, 22)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def runner():
        try:
            barrier.wait()
            results.append(_run(sms_system, now))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(results) == 12
    with transaction(db_factory) as db:
        assert len(db.scalars(select(NotificationOutbox.id)).all()) == 12
    assert len(sms_system.twilio.messages) == 12
    assert len({message["to"] for message in sms_system.twilio.messages}) == 12
