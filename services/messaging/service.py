"""Queueing and sending SMS exactly once, and composing texts that carry only what is needed."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.models import SmsMessage
from services.messaging.senders import SmsSender
from shared.api import ApiError
from shared.db import transaction, utcnow
from shared.spoken_time import spoken_datetime

log = logging.getLogger(__name__)
E164 = r"^\+[1-9]\d{6,14}$"
KINDS = ("booking_confirmation", "cancellation", "reschedule", "scheduling_link")


class SmsRequest(BaseModel):
    """POST /messaging/sms: a notification to text, with the facts the text needs."""

    idempotency_key: str = Field(min_length=8, max_length=200)
    kind: str
    to: str = Field(pattern=E164)
    clinic_id: int | None = None
    appointment_id: int | None = None
    first_name: str = Field(min_length=1, max_length=100)
    clinic_name: str = Field(min_length=1, max_length=200)
    doctor_name: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    timezone: str
    link: str | None = Field(None, max_length=500, pattern=r"^https://")


def compose_text(request: SmsRequest, now: datetime | None = None) -> str:
    """The text for a notification: first name, clinic, doctor, local date and time, how to cancel."""
    when = spoken_datetime(request.starts_at, request.timezone, now)
    greeting = f"Hi {request.first_name}, your appointment with {request.doctor_name} at {request.clinic_name}"
    if request.kind == "booking_confirmation":
        return f"{greeting} is confirmed for {when}. To cancel or change it, call us back."
    if request.kind == "cancellation":
        return f"{greeting} for {when} has been cancelled. Call us any time to book again."
    if request.kind == "reschedule":
        return f"{greeting} has been moved to {when}. To cancel or change it, call us back."
    if request.kind == "scheduling_link" and request.link:
        return (f"Hi {request.first_name}, your request for {when} with {request.doctor_name} at "
                f"{request.clinic_name} is noted. Please confirm it in the clinic's calendar: {request.link}")
    raise ApiError(422, "unknown_kind", f"unknown SMS kind {request.kind!r}; expected one of {', '.join(KINDS)}")


def sms_json(message: SmsMessage) -> dict[str, Any]:
    """A message as the internal API returns it."""
    return {
        "id": message.id,
        "kind": message.kind,
        "to": message.to_number,
        "body": message.body,
        "status": message.status,
        "appointment_id": message.appointment_id,
        "created_at": message.created_at.isoformat(),
    }


def queue_sms(*, db_factory: sessionmaker[Session], request: SmsRequest) -> tuple[SmsMessage, bool]:
    """Record a message under its idempotency key; returns (message, newly_queued)."""
    body = compose_text(request)
    with transaction(db_factory) as db:
        existing = db.scalars(select(SmsMessage).where(SmsMessage.idempotency_key == request.idempotency_key)).first()
        if existing is not None:
            return existing, False
        message = SmsMessage(
            idempotency_key=request.idempotency_key, kind=request.kind, clinic_id=request.clinic_id,
            appointment_id=request.appointment_id, to_number=request.to, body=body, status="queued",
        )
        try:
            with db.begin_nested():
                db.add(message)
                db.flush()
        except IntegrityError:
            return db.scalars(select(SmsMessage).where(SmsMessage.idempotency_key == request.idempotency_key)).one(), False
        return message, True


def send_queued(*, db_factory: sessionmaker[Session], sender: SmsSender, message_id: int) -> SmsMessage:
    """Send a queued message once: the row is claimed (status sending) before the provider is called."""
    with transaction(db_factory) as db:
        message = db.get(SmsMessage, message_id, with_for_update=True)
        if message is None or message.status != "queued":
            return message
        message.status = "sending"
        message.attempts += 1
    try:
        result = sender.send(to=message.to_number, body=message.body, idempotency_key=message.idempotency_key)
    except Exception as error:  # noqa: BLE001 - recorded; the message stays retryable
        with transaction(db_factory) as db:
            message = db.get(SmsMessage, message_id)
            message.status, message.last_error = "queued", str(error)[:500]
        log.warning("SMS %s not sent: %s", message_id, type(error).__name__)
        return message
    with transaction(db_factory) as db:
        message = db.get(SmsMessage, message_id)
        message.status, message.twilio_sid, message.sent_at = result.status, result.provider_id, utcnow()
    return message


def messages_to(*, db: Session, to: str) -> list[SmsMessage]:
    """Every message to a number, oldest first."""
    return list(db.scalars(select(SmsMessage).where(SmsMessage.to_number == to).order_by(SmsMessage.id)))
