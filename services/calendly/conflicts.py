"""Calendly bookings that clashed with ours (webhook outcome `conflict`): listed per clinic for staff,
and closed with a note by the staff member who resolved them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calendly.models import CalendlyWebhookEvent
from shared.api import ApiError

CONFLICT = "conflict"


def clinic_conflicts(*, db: Session, clinic_id: int, include_done: bool,
                     limit: int = 200) -> list[CalendlyWebhookEvent]:
    """A clinic's conflicts, newest first (open ones only unless asked)."""
    query = select(CalendlyWebhookEvent).where(CalendlyWebhookEvent.outcome == CONFLICT,
                                               CalendlyWebhookEvent.clinic_id == clinic_id)
    if not include_done:
        query = query.where(CalendlyWebhookEvent.handled_at.is_(None))
    return list(db.scalars(query.order_by(CalendlyWebhookEvent.received_at.desc()).limit(limit)))


def conflict_json(record: CalendlyWebhookEvent, doctor_name: str | None) -> dict[str, Any]:
    """A conflict as staff see it: which doctor and time, what Calendly did, no patient data."""
    return {"id": record.id, "clinic_id": record.clinic_id, "doctor_id": record.doctor_id, "doctor": doctor_name,
            "start": record.starts_at.isoformat() if record.starts_at else None, "event": record.event,
            "appointment_id": record.appointment_id, "received_at": record.received_at.isoformat(),
            "handled_at": record.handled_at.isoformat() if record.handled_at else None,
            "handled_by": record.handled_by, "handled_note": record.handled_note}


def close_conflict(*, db: Session, conflict_id: int, clinic_id: int, staff: str, note: str,
                   now: datetime) -> CalendlyWebhookEvent:
    """Mark a clinic's conflict resolved (a repeat keeps the first); 404 for another clinic's or none."""
    record = db.get(CalendlyWebhookEvent, conflict_id, with_for_update=True)
    if record is None or record.outcome != CONFLICT or record.clinic_id != clinic_id:
        raise ApiError(404, "conflict_not_found", "no such conflict for this clinic")
    if record.handled_at is None:
        record.handled_at, record.handled_by, record.handled_note = now, staff, note
    return record
