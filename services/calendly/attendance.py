"""Attendance confirmation: a patient's "C" reply marks their appointment as confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from services.calendly.models import BOOKED, Appointment
from services.calendly.service import appointment_json
from shared.api import ApiError


def confirm_attendance(*, db: Session, appointment_id: int, now: datetime) -> Appointment:
    """Record that the patient will come (the first confirmation's time is kept). Raises ApiError."""
    appointment = db.get(Appointment, appointment_id, with_for_update=True)
    if appointment is None:
        raise ApiError(404, "appointment_not_found", f"no appointment with id {appointment_id}")
    if appointment.status != BOOKED:
        raise ApiError(409, "not_booked", f"the appointment is {appointment.status}")
    if appointment.confirmed_at is None:
        appointment.confirmed_at = now
    return appointment


def attendance_json(appointment: Appointment, doctor_name: str | None) -> dict[str, Any]:
    """The appointment JSON plus when attendance was confirmed."""
    confirmed = appointment.confirmed_at.isoformat() if appointment.confirmed_at else None
    return {**appointment_json(appointment, doctor_name), "confirmed_at": confirmed}
