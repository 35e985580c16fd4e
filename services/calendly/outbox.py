"""The notification outbox: an appointment change and its SMS notification are recorded in the same
transaction, then handed to the messaging service (idempotently, keyed per appointment version)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.calendly.models import Appointment, NotificationOutbox
from shared.db import transaction, utcnow
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)


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
        "doctor_name": doctor["name"],
        "starts_at": appointment.starts_at.isoformat(),
        "timezone": clinic["timezone"],
    }


def record_notification(*, db: Session, appointment: Appointment, doctor: dict[str, Any], kind: str) -> NotificationOutbox:
    """Add the notification for an appointment change to the caller's open transaction."""
    entry = NotificationOutbox(
        idempotency_key=f"appointment:{appointment.id}:{kind}:v{appointment.version}",
        appointment_id=appointment.id,
        kind=kind,
        payload=notification_payload(appointment, doctor, kind),
    )
    db.add(entry)
    return entry


def deliver_notifications(*, db_factory: sessionmaker[Session], client: ServiceClient, appointment_id: int) -> None:
    """Hand an appointment's undelivered notifications to messaging; failures stay in the outbox."""
    with transaction(db_factory) as db:
        pending = db.scalars(
            select(NotificationOutbox).where(
                NotificationOutbox.appointment_id == appointment_id, NotificationOutbox.delivered_at.is_(None)
            )
        ).all()
        for entry in pending:
            entry.attempts += 1
            try:
                client.post("messaging", "/messaging/sms", {**entry.payload, "idempotency_key": entry.idempotency_key},
                            idempotency_key=entry.idempotency_key)
            except ServiceCallError as error:
                entry.last_error = str(error)[:500]
                log.warning("notification %s not delivered yet: %s", entry.id, error.status or error.message)
                continue
            entry.delivered_at = utcnow()
