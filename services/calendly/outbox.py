"""The notification outbox: an appointment change and its SMS notification are recorded in the same
transaction, then handed to messaging (idempotently, keyed per appointment, kind and version) by a
publisher: SQS in the cluster, a direct POST to messaging in local mode."""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.calendly.models import BOOKED, Appointment, NotificationOutbox
from shared.db import transaction, utcnow
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)


class PublishError(Exception):
    """A notification could not be handed over; `retryable` says whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class Publisher(Protocol):
    """Hands one notification to messaging."""

    def publish(self, idempotency_key: str, payload: dict[str, Any]) -> None:
        """Deliver it or raise PublishError."""


class MessagingPublisher:
    """Local mode: POST the notification to messaging, which stores it under its idempotency key."""

    def __init__(self, client: ServiceClient):
        self.client = client

    def publish(self, idempotency_key: str, payload: dict[str, Any]) -> None:
        """POST /messaging/sms; 4xx other than 429 is final (the request itself is wrong)."""
        try:
            answer = self.client.call("POST", "messaging", "/messaging/sms",
                                      json={**payload, "idempotency_key": idempotency_key},
                                      idempotency_key=idempotency_key)
        except ServiceCallError as error:
            raise PublishError(str(error), retryable=True) from None
        if not answer.ok:
            message = answer.data.get("message") if isinstance(answer.data, dict) else None
            raise PublishError(f"messaging answered {answer.status}: {message}", retryable=answer.status == 429)


class SqsPublisher:
    """Cluster: send the notification to the SQS queue the messaging worker reads (its DLQ catches poison)."""

    def __init__(self, sqs, queue_url: str):
        self.sqs = sqs
        self.queue_url = queue_url

    def publish(self, idempotency_key: str, payload: dict[str, Any]) -> None:
        """SendMessage with the idempotency key in the body (and as the deduplication id on FIFO queues)."""
        from botocore.exceptions import BotoCoreError, ClientError

        request = {"QueueUrl": self.queue_url,
                   "MessageBody": json.dumps({**payload, "idempotency_key": idempotency_key})}
        if self.queue_url.endswith(".fifo"):
            request.update(MessageGroupId=str(payload.get("appointment_id") or idempotency_key),
                           MessageDeduplicationId=idempotency_key[:128])
        try:
            self.sqs.send_message(**request)
        except (BotoCoreError, ClientError) as error:
            raise PublishError(f"SQS send failed: {type(error).__name__}", retryable=True) from None


def publisher_from(settings, client: ServiceClient, sqs=None) -> Publisher:
    """SQS when SQS_QUEUE_URL is set, else a direct POST to messaging."""
    if not settings.sqs_queue_url:
        return MessagingPublisher(client)
    if sqs is None:
        import boto3

        sqs = boto3.client("sqs", region_name=settings.aws_region, endpoint_url=settings.sqs_endpoint_url)
    return SqsPublisher(sqs, settings.sqs_queue_url)


def notification_payload(appointment: Appointment, doctor: dict[str, Any], kind: str) -> dict[str, Any]:
    """What messaging needs to compose the text: first name, clinic, doctor, local time; nothing more."""
    clinic = doctor["clinic"]
    return {
        "kind": kind,
        "to": appointment.patient_phone,
        "clinic_id": appointment.clinic_id,
        "appointment_id": appointment.id,
        "first_name": appointment.patient_name.split()[0],
        "clinic_name": clinic["name"],
        "clinic_phone": clinic.get("staff_number"),
        "doctor_name": doctor["name"],
        "starts_at": appointment.starts_at.isoformat(),
        "timezone": clinic["timezone"],
    }


def notification_key(appointment: Appointment, kind: str) -> str:
    """The idempotency key of one notification: appointment, kind and version."""
    return f"appointment:{appointment.id}:{kind}:v{appointment.version}"


def record_notification(*, db: Session, appointment: Appointment, doctor: dict[str, Any],
                        kind: str) -> NotificationOutbox:
    """Add the notification for an appointment change to the caller's open transaction."""
    entry = NotificationOutbox(
        idempotency_key=notification_key(appointment, kind),
        appointment_id=appointment.id,
        kind=kind,
        payload=notification_payload(appointment, doctor, kind),
    )
    db.add(entry)
    return entry


def _superseded(db: Session, entry: NotificationOutbox, now: datetime) -> bool:
    """A reminder for a cancelled, moved or already started appointment is not sent."""
    if entry.kind != "reminder":
        return False
    appointment = db.get(Appointment, entry.appointment_id)
    return (appointment is None or appointment.status != BOOKED or appointment.starts_at <= now
            or entry.idempotency_key != notification_key(appointment, entry.kind))


def _retry_delay(attempts: int, base: float, cap: float) -> timedelta:
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=step / 2 + random.uniform(0, step / 2))


def due_notifications(*, now: datetime, limit: int, appointment_id: int | None = None) -> Select:
    """Undelivered notifications due by `now` (of one appointment, when given), oldest first, locked
    with SKIP LOCKED; read from the index of undelivered rows, so a long delivered history costs nothing."""
    statement = (
        select(NotificationOutbox)
        .where(NotificationOutbox.delivered_at.is_(None),
               or_(NotificationOutbox.next_attempt_at.is_(None), NotificationOutbox.next_attempt_at <= now))
        .order_by(NotificationOutbox.id).limit(limit).with_for_update(skip_locked=True)
    )
    if appointment_id is not None:
        statement = statement.where(NotificationOutbox.appointment_id == appointment_id)
    return statement


def dispatch_pending(*, db_factory: sessionmaker[Session], publisher: Publisher, now: datetime | None = None,
                     limit: int = 50, appointment_id: int | None = None, retry_base_seconds: float = 5.0,
                     retry_cap_seconds: float = 600.0) -> int:
    """Hand due, undelivered notifications to messaging; failures stay in the outbox with a retry time.

    Rows are locked with SKIP LOCKED so concurrent dispatchers share the work; a crash after a
    publish and before the commit publishes again, which messaging absorbs by idempotency key.
    """
    now = now or utcnow()
    delivered = 0
    with transaction(db_factory) as db:
        for entry in db.scalars(due_notifications(now=now, limit=limit, appointment_id=appointment_id)).all():
            if _superseded(db, entry, now):
                entry.delivered_at, entry.last_error = now, "skipped: appointment cancelled, moved or started"
                continue
            entry.attempts += 1
            try:
                publisher.publish(entry.idempotency_key, entry.payload)
            except PublishError as error:
                entry.last_error = str(error)[:500]
                if error.retryable:
                    entry.next_attempt_at = now + _retry_delay(entry.attempts, retry_base_seconds, retry_cap_seconds)
                    log.warning("notification %s not delivered yet: %s", entry.id, error)
                else:
                    entry.delivered_at = now
                    log.error("notification %s refused by messaging, not retried: %s", entry.id, error)
                continue
            entry.delivered_at, entry.last_error = now, None
            delivered += 1
    return delivered


def deliver_notifications(*, db_factory: sessionmaker[Session], appointment_id: int, publisher: Publisher | None = None,
                          client: ServiceClient | None = None) -> None:
    """The fast path right after a commit: hand over this appointment's notifications now.

    The dispatcher delivers whatever this misses; a bare `client` means a direct POST to messaging.
    """
    dispatch_pending(db_factory=db_factory, publisher=publisher or MessagingPublisher(client),
                     appointment_id=appointment_id)
