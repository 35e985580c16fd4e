"""Keeping Calendly in step with our appointments (the system of record) through a queue table.

A booking, cancellation or reschedule adds tasks in the same transaction as the change itself, so
nothing is lost when Calendly is slow, down or rate-limiting. `python -m services.calendly.sync_runner`
drains the queue: bookings go out within Calendly's booking limits (10/min, 50/h, 100/day per user on
non-Enterprise plans, counted locally and confirmed by 429 + X-RateLimit-Reset); a reschedule books
the new time first and cancels the old event after; a refusal for plan or scope (403) sends the
caller a single-use scheduling link instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.calendly.calendly_api import (
    CalendlyClient,
    CalendlyError,
    CalendlyNotFound,
    CalendlyPermissionDenied,
    CalendlyRateLimited,
    CalendlyUnavailable,
)
from services.calendly.models import BOOKED, Appointment, CalendlySyncTask, NotificationOutbox
from services.calendly.outbox import deliver_notifications
from services.calendly.settings import CalendlySettings
from shared.db import transaction, utcnow
from shared.service_client import ServiceClient

log = logging.getLogger(__name__)

BOOK, CANCEL = "book", "cancel"
PENDING, DONE, FAILED, SUPERSEDED, LINK_SENT = "pending", "done", "failed", "superseded", "link_sent"
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
CANCEL_REASON = "Cancelled through the clinic's phone line"
RESCHEDULE_REASON = "Moved to another time through the clinic's phone line"


@dataclass(frozen=True)
class BookingLimits:
    """POST /invitees allowance per Calendly user: (count, window) pairs."""

    windows: tuple[tuple[int, timedelta], ...]

    @classmethod
    def from_settings(cls, settings: CalendlySettings) -> BookingLimits:
        """The configured limits (non-Enterprise defaults 10/min, 50/hour, 100/day)."""
        return cls((
            (settings.calendly_bookings_per_minute, timedelta(minutes=1)),
            (settings.calendly_bookings_per_hour, timedelta(hours=1)),
            (settings.calendly_bookings_per_day, timedelta(days=1)),
        ))


@dataclass
class SyncReport:
    """What one pass of the queue did, by outcome."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        """Count one task's outcome."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def sync_payload(appointment: Appointment, doctor: dict[str, Any]) -> dict[str, Any]:
    """What pushing this booking needs later, so the queue runs without other services."""
    clinic = doctor["clinic"]
    return {
        "event_type": doctor.get("calendly_event_type"),
        "start": appointment.starts_at.astimezone(UTC).isoformat(),
        "timezone": clinic["timezone"],
        "booking_email": clinic.get("booking_email"),
        "clinic_name": clinic["name"],
        "doctor_name": doctor["name"],
    }


def enqueue_booking(*, db: Session, appointment: Appointment, doctor: dict[str, Any]) -> CalendlySyncTask | None:
    """Queue pushing a booked appointment to Calendly (no-op when the doctor is not mapped)."""
    if not doctor.get("calendly_event_type"):
        return None
    db.flush()
    task = CalendlySyncTask(
        idempotency_key=f"book:{appointment.id}:v{appointment.version}:{appointment.starts_at.isoformat()}",
        appointment_id=appointment.id,
        kind=BOOK, status=PENDING, payload=sync_payload(appointment, doctor), next_attempt_at=utcnow(),
    )
    return _add_once(db, task)


def enqueue_cancellation(*, db: Session, appointment: Appointment, reason: str = CANCEL_REASON,
                         after: CalendlySyncTask | None = None) -> CalendlySyncTask | None:
    """Queue cancelling the appointment's Calendly event, if it has one (an unsent booking is dropped)."""
    return _enqueue_event_cancellation(db=db, appointment_id=appointment.id, event_uri=appointment.calendly_event_uri,
                                       reason=reason, after=after)


def _enqueue_event_cancellation(*, db: Session, appointment_id: int, event_uri: str | None, reason: str,
                                after: CalendlySyncTask | None) -> CalendlySyncTask | None:
    if not event_uri:
        return None
    task = CalendlySyncTask(
        idempotency_key=f"cancel:{event_uri}"[:200], appointment_id=appointment_id, kind=CANCEL, status=PENDING,
        payload={"event_uri": event_uri, "reason": reason}, after_task_id=after.id if after else None,
        next_attempt_at=utcnow(),
    )
    return _add_once(db, task)


def _add_once(db: Session, task: CalendlySyncTask) -> CalendlySyncTask:
    """Add the task unless one with its idempotency key exists (then that one is returned)."""
    existing = db.scalars(
        select(CalendlySyncTask).where(CalendlySyncTask.idempotency_key == task.idempotency_key)
    ).first()
    if existing is not None:
        return existing
    db.add(task)
    db.flush()
    return task


def enqueue_reschedule(*, db: Session, appointment: Appointment, doctor: dict[str, Any],
                       previous: Appointment | None = None) -> tuple[CalendlySyncTask | None, CalendlySyncTask | None]:
    """Queue "book the new time, then cancel the old event" (Calendly has no reschedule endpoint).

    Call it after the move, in the same transaction. `previous` is the appointment that held the old
    Calendly event when the move made a new row; by default the moved appointment itself, whose
    Calendly links then describe the old event and are cleared.
    """
    holder = previous or appointment
    old_event_uri = holder.calendly_event_uri
    if previous is None:
        appointment.calendly_invitee_uri = appointment.calendly_event_uri = None
        appointment.cancel_url = appointment.reschedule_url = None
    book = enqueue_booking(db=db, appointment=appointment, doctor=doctor)
    cancel = _enqueue_event_cancellation(db=db, appointment_id=holder.id, event_uri=old_event_uri,
                                         reason=RESCHEDULE_REASON, after=book)
    return book, cancel


def queue_metrics(*, db_factory: sessionmaker[Session], now: datetime) -> list[GaugeMetricFamily]:
    """The queue to Calendly as gauges: tasks waiting, and how long the oldest of them has waited."""
    with db_factory() as db:
        waiting, oldest = db.execute(
            select(func.count(), func.min(CalendlySyncTask.created_at)).where(CalendlySyncTask.status == PENDING)
        ).one()
    age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    return [
        GaugeMetricFamily("receptionist_calendly_sync_queue_depth",
                          "Bookings and cancellations waiting to reach Calendly", value=waiting),
        GaugeMetricFamily("receptionist_calendly_sync_oldest_age_seconds",
                          "How long the oldest change waiting for Calendly has waited (0 when none waits)", value=age),
    ]


def pending_count(*, db: Session) -> int:
    """How many tasks still wait to reach Calendly."""
    return db.scalar(select(func.count()).select_from(CalendlySyncTask).where(CalendlySyncTask.status == PENDING))


def booking_allowed_at(*, db: Session, limits: BookingLimits, now: datetime) -> datetime:
    """When the next POST /invitees fits every window (now, or when the oldest counted one expires)."""
    allowed = now
    for limit, window in limits.windows:
        recent = db.scalars(
            select(CalendlySyncTask.done_at).where(
                CalendlySyncTask.kind == BOOK, CalendlySyncTask.status.in_((DONE, FAILED, LINK_SENT)),
                CalendlySyncTask.done_at > now - window,
            ).order_by(CalendlySyncTask.done_at.desc()).limit(limit)
        ).all()
        if len(recent) >= limit:
            allowed = max(allowed, min(recent) + window)
    return allowed


def _due_tasks(db: Session, now: datetime, batch: int) -> list[CalendlySyncTask]:
    candidates = db.scalars(
        select(CalendlySyncTask)
        .where(CalendlySyncTask.status == PENDING, CalendlySyncTask.next_attempt_at <= now)
        .order_by(CalendlySyncTask.id).limit(batch).with_for_update(skip_locked=True)
    ).all()
    waiting_on = {task.after_task_id for task in candidates if task.after_task_id}
    still_pending = set(db.scalars(
        select(CalendlySyncTask.id).where(CalendlySyncTask.id.in_(waiting_on), CalendlySyncTask.status == PENDING)
    )) if waiting_on else set()
    return [task for task in candidates if task.after_task_id not in still_pending]


def _claim(db_factory: sessionmaker[Session], now: datetime, batch: int) -> list[int]:
    """Lease due tasks (pushed LEASE ahead) so a second runner leaves them alone."""
    with transaction(db_factory) as db:
        tasks = _due_tasks(db, now, batch)
        for task in tasks:
            task.attempts += 1
            task.next_attempt_at = now + LEASE
        return [task.id for task in tasks]


def _backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(seconds=30) * 2 ** max(0, attempts - 1))


def _retry_later(task: CalendlySyncTask, now: datetime, error: CalendlyError) -> str:
    if isinstance(error, CalendlyRateLimited):
        task.next_attempt_at = now + timedelta(seconds=error.retry_after)
        outcome = "rate_limited"
    else:
        task.next_attempt_at = now + _backoff(task.attempts)
        outcome = "unavailable"
    task.last_error = f"{error.status or 'unreachable'} {error.title}: {error.message}"[:500]
    return outcome


def _finish(task: CalendlySyncTask, status: str, now: datetime, error: str | None = None) -> str:
    task.status, task.done_at = status, now
    if error:
        task.last_error = error[:500]
    return status


def run_once(*, db_factory: sessionmaker[Session], calendly: CalendlyClient, client: ServiceClient | None,
             limits: BookingLimits, batch: int = 50, now: datetime | None = None, max_rounds: int = 10) -> SyncReport:
    """Drain the due tasks; each ends done, failed, superseded, link_sent or rescheduled for later.

    Rounds repeat so a task waiting on another (the cancel after a reschedule's booking) runs in
    the same pass once its predecessor is done.
    """
    now = now or utcnow()
    report = SyncReport()
    texted: list[int] = []
    for _ in range(max_rounds):
        claimed = _claim(db_factory, now, batch)
        if not claimed:
            break
        for position, task_id in enumerate(claimed):
            if calendly.breaker.is_open:
                _release(db_factory, claimed[position:], now + timedelta(seconds=calendly.breaker.reset_seconds))
                break
            try:
                with transaction(db_factory) as db:
                    task = db.get(CalendlySyncTask, task_id)
                    handler = _push_booking if task.kind == BOOK else _push_cancellation
                    outcome = handler(db=db, task=task, calendly=calendly, limits=limits, now=now)
                    if outcome == LINK_SENT:
                        texted.append(task.appointment_id)
            except Exception as error:  # noqa: BLE001 - one broken task must not stop the queue
                log.exception("sync task %s failed unexpectedly", task_id)
                outcome = _record_crash(db_factory, task_id, now, error)
            report.add(outcome)
        if calendly.breaker.is_open:
            break
    if client is not None:
        for appointment_id in texted:
            deliver_notifications(db_factory=db_factory, client=client, appointment_id=appointment_id)
    return report


def _record_crash(db_factory: sessionmaker[Session], task_id: int, now: datetime, error: Exception) -> str:
    with transaction(db_factory) as db:
        task = db.get(CalendlySyncTask, task_id)
        task.next_attempt_at = now + _backoff(task.attempts)
        task.last_error = f"unexpected {type(error).__name__}"
    return "error"


def _release(db_factory: sessionmaker[Session], task_ids: list[int], due: datetime) -> None:
    """Claimed tasks left untried (the breaker opened) wait for the breaker, not for the whole lease."""
    with transaction(db_factory) as db:
        for task in db.scalars(select(CalendlySyncTask).where(CalendlySyncTask.id.in_(task_ids))):
            task.next_attempt_at = due
            task.attempts -= 1


def _push_booking(*, db: Session, task: CalendlySyncTask, calendly: CalendlyClient, limits: BookingLimits,
                  now: datetime) -> str:
    appointment = db.get(Appointment, task.appointment_id, with_for_update=True)
    payload = task.payload
    if appointment.status != BOOKED or appointment.starts_at != datetime.fromisoformat(payload["start"]):
        return _finish(task, SUPERSEDED, now)
    if appointment.calendly_invitee_uri:
        return _finish(task, DONE, now)  # a webhook already linked it to its Calendly invitee
    if payload.get("fallback"):
        return _send_scheduling_link(db=db, task=task, appointment=appointment, calendly=calendly, now=now)
    allowed_at = booking_allowed_at(db=db, limits=limits, now=now)
    if allowed_at > now:
        task.next_attempt_at, task.attempts = allowed_at, task.attempts - 1
        task.last_error = "waiting for the Calendly booking limit"
        return "deferred"
    email = appointment.patient_email or payload.get("booking_email")
    if not email:
        return _finish(task, FAILED, now, "no invitee email: the caller gave none and the clinic has no booking_email")
    try:
        invitee = calendly.create_invitee(
            event_type=payload["event_type"], start=appointment.starts_at, name=appointment.patient_name,
            email=email, timezone_name=payload["timezone"],
            text_reminder_number=appointment.patient_phone or None,
        )
    except CalendlyPermissionDenied as error:
        log.warning("Calendly refused booking for appointment %s (%s); sending a scheduling link",
                    appointment.id, error.message)
        task.payload = {**payload, "fallback": True}
        return _send_scheduling_link(db=db, task=task, appointment=appointment, calendly=calendly, now=now)
    except (CalendlyRateLimited, CalendlyUnavailable) as error:
        return _retry_later(task, now, error)
    except CalendlyError as error:
        log.warning("Calendly rejected booking for appointment %s: %s %s", appointment.id, error.status, error.title)
        return _finish(task, FAILED, now, f"{error.status} {error.title}: {error.message}")
    appointment.calendly_invitee_uri, appointment.calendly_event_uri = invitee.uri, invitee.event
    appointment.cancel_url, appointment.reschedule_url = invitee.cancel_url, invitee.reschedule_url
    return _finish(task, DONE, now)


def _send_scheduling_link(*, db: Session, task: CalendlySyncTask, appointment: Appointment,
                          calendly: CalendlyClient, now: datetime) -> str:
    payload = task.payload
    try:
        booking_url = calendly.create_scheduling_link(payload["event_type"])
    except (CalendlyRateLimited, CalendlyUnavailable) as error:
        return _retry_later(task, now, error)
    except CalendlyError as error:
        return _finish(task, FAILED, now, f"scheduling link refused: {error.status} {error.title}")
    db.add(NotificationOutbox(
        idempotency_key=f"appointment:{appointment.id}:scheduling_link:v{appointment.version}",
        appointment_id=appointment.id, kind="scheduling_link",
        payload={
            "kind": "scheduling_link", "to": appointment.patient_phone, "clinic_id": appointment.clinic_id,
            "appointment_id": appointment.id, "first_name": appointment.patient_name.split()[0],
            "clinic_name": payload["clinic_name"], "doctor_name": payload["doctor_name"],
            "starts_at": appointment.starts_at.isoformat(), "timezone": payload["timezone"], "link": booking_url,
        },
    ))
    task.payload = {**payload, "booking_url": booking_url}
    return _finish(task, LINK_SENT, now)


def _push_cancellation(*, db: Session, task: CalendlySyncTask, calendly: CalendlyClient, limits: BookingLimits,
                       now: datetime) -> str:
    try:
        calendly.cancel_event(task.payload["event_uri"], task.payload.get("reason") or CANCEL_REASON)
    except CalendlyNotFound:
        return _finish(task, DONE, now, "event not found in Calendly")
    except CalendlyPermissionDenied as error:
        if "already" in error.message.lower():
            return _finish(task, DONE, now, error.message)
        return _finish(task, FAILED, now, f"403 {error.title}: {error.message}")
    except (CalendlyRateLimited, CalendlyUnavailable) as error:
        return _retry_later(task, now, error)
    except CalendlyError as error:
        return _finish(task, FAILED, now, f"{error.status} {error.title}: {error.message}")
    return _finish(task, DONE, now)
