"""The outbox's half of "a text at most once": every attempt at one notification hands messaging the
same idempotency key, a change of the appointment gets a new one, failures wait for their retry time,
refusals are not retried, and a reminder for a cancelled or moved appointment is skipped."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from services.calendly.models import Appointment, NotificationOutbox
from services.calendly.outbox import PublishError, dispatch_pending, notification_key
from shared.db import transaction
from tests.calls.conftest import book

WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"


class ScriptedPublisher:
    """Records every hand-over and answers from a script (None = accepted)."""

    def __init__(self, *script):
        self.script = list(script)
        self.seen: list[tuple[str, dict]] = []

    def publish(self, idempotency_key, payload):
        self.seen.append((idempotency_key, payload))
        step = self.script.pop(0) if self.script else None
        if step is not None:
            raise step


def new_entry(db_factory, appointment_id: int, kind: str = "reminder") -> int:
    """An undelivered notification for an appointment, keyed as the outbox keys it."""
    with transaction(db_factory) as db:
        appointment = db.get(Appointment, appointment_id)
        entry = NotificationOutbox(idempotency_key=notification_key(appointment, kind), appointment_id=appointment_id,
                                   kind=kind, payload={"kind": kind, "appointment_id": appointment_id})
        db.add(entry)
        db.flush()
        return entry.id


def entry(db_factory, entry_id: int) -> NotificationOutbox:
    with transaction(db_factory) as db:
        return db.get(NotificationOutbox, entry_id)


def test_the_key_names_appointment_kind_and_version(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    with transaction(db_factory) as db:
        appointment = db.get(Appointment, booked["id"])
        assert notification_key(appointment, "reminder") == f"appointment:{booked['id']}:reminder:v1"
        keys = set(db.scalars(select(NotificationOutbox.idempotency_key)))
    assert keys == {f"appointment:{booked['id']}:booking_confirmation:v1"}


def test_every_attempt_hands_over_the_same_key_until_accepted(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    entry_id = new_entry(db_factory, booked["id"])
    publisher = ScriptedPublisher(PublishError("busy", retryable=True), PublishError("busy", retryable=True))
    now = clock.now()
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=now) == 0
    waiting = entry(db_factory, entry_id)
    assert waiting.delivered_at is None and waiting.attempts == 1 and waiting.next_attempt_at > now
    assert waiting.last_error == "busy"
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=now) == 0, "not before its retry time"
    later = now + timedelta(hours=2)
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=later) == 0
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=later + timedelta(hours=2)) == 1
    assert [key for key, _ in publisher.seen] == [f"appointment:{booked['id']}:reminder:v1"] * 3
    done = entry(db_factory, entry_id)
    assert done.delivered_at == later + timedelta(hours=2) and done.last_error is None and done.attempts == 3
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=later + timedelta(days=1)) == 0
    assert len(publisher.seen) == 3, "a delivered notification is never handed over again"


def test_a_refusal_closes_the_notification_without_retrying(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    entry_id = new_entry(db_factory, booked["id"], kind="cancellation")
    reason = "bad number " + "x" * 600
    publisher = ScriptedPublisher(PublishError(reason, retryable=False))
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now()) == 0
    closed = entry(db_factory, entry_id)
    assert closed.delivered_at == clock.now() and closed.last_error == reason[:500], "kept, cut at 500 characters"
    dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now() + timedelta(days=1))
    assert len(publisher.seen) == 1


def test_a_reminder_for_a_changed_appointment_is_skipped_not_sent(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    moved_id = new_entry(db_factory, booked["id"])
    with transaction(db_factory) as db:
        db.execute(update(Appointment).where(Appointment.id == booked["id"]).values(version=2))
    publisher = ScriptedPublisher()
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now()) == 0
    assert entry(db_factory, moved_id).delivered_at == clock.now() and publisher.seen == []
    assert entry(db_factory, moved_id).last_error.startswith("skipped")
    cancelled_id = new_entry(db_factory, booked["id"])
    with transaction(db_factory) as db:
        db.execute(update(Appointment).where(Appointment.id == booked["id"]).values(status="cancelled"))
    dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now())
    assert publisher.seen == [] and entry(db_factory, cancelled_id).delivered_at is not None


def test_a_current_reminder_and_other_kinds_are_sent(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    ids = [new_entry(db_factory, booked["id"]), new_entry(db_factory, booked["id"], kind="other")]
    publisher = ScriptedPublisher()
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now()) == 2
    assert [payload["kind"] for _, payload in publisher.seen] == ["reminder", "other"]
    assert all(entry(db_factory, entry_id).delivered_at == clock.now() for entry_id in ids)


def test_a_reminder_for_an_appointment_already_started_is_skipped(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    entry_id = new_entry(db_factory, booked["id"])
    publisher = ScriptedPublisher()
    with transaction(db_factory) as db:
        start = db.get(Appointment, booked["id"]).starts_at
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=start) == 0
    assert publisher.seen == [] and entry(db_factory, entry_id).last_error.startswith("skipped")


def test_a_dispatcher_skips_a_notification_another_dispatcher_holds(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    entry_id = new_entry(db_factory, booked["id"])
    publisher, result = ScriptedPublisher(), {}
    with db_factory() as holder:
        holder.execute(select(NotificationOutbox).where(NotificationOutbox.id == entry_id).with_for_update()).all()
        other = threading.Thread(target=lambda: result.update(
            delivered=dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now())))
        other.start()
        other.join(10)  # skipping takes milliseconds; waiting for the lock would take until the rollback
        finished = not other.is_alive()
        holder.rollback()
    other.join(10)
    assert finished and result["delivered"] == 0 and publisher.seen == []


def test_a_failed_notification_is_due_again_exactly_at_its_retry_time(system, clock, db_factory):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    entry_id = new_entry(db_factory, booked["id"])
    publisher = ScriptedPublisher(PublishError("busy", retryable=True))
    dispatch_pending(db_factory=db_factory, publisher=publisher, now=clock.now())
    retry_at = entry(db_factory, entry_id).next_attempt_at
    dispatch_pending(db_factory=db_factory, publisher=publisher, now=retry_at - timedelta(microseconds=1))
    assert len(publisher.seen) == 1
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=retry_at) == 1
    assert len(publisher.seen) == 2
