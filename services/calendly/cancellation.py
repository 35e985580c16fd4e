"""Cancelling an appointment: the status change, the version bump and the cancellation text are
written in one transaction; cancelling twice is harmless."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from services.calendly.models import BOOKED, CANCELLED, Appointment
from services.calendly.outbox import record_notification
from services.calendly.service import DoctorDirectory
from shared.api import ApiError


class CancelRequest(BaseModel):
    """POST /calendly/appointments/<id>/cancel."""

    reason: str = Field(min_length=1, max_length=500)
    notify: bool = Field(True, description="queue the cancellation text (false when the patient is told otherwise)")


def cancel_appointment(
    *, db: Session, appointment_id: int, request: CancelRequest, doctors: DoctorDirectory, now: datetime
) -> tuple[Appointment, bool]:
    """Cancel a booked, not yet started appointment; returns (appointment, changed). Raises ApiError."""
    appointment = db.get(Appointment, appointment_id, with_for_update=True)
    if appointment is None:
        raise ApiError(404, "appointment_not_found", f"no appointment with id {appointment_id}")
    if appointment.status == CANCELLED:
        return appointment, False
    if appointment.status != BOOKED:
        raise ApiError(409, "not_cancellable", f"an appointment that is {appointment.status} cannot be cancelled")
    if appointment.starts_at <= now:
        raise ApiError(409, "appointment_started", "the appointment has already started")
    appointment.status = CANCELLED
    appointment.version += 1
    if request.notify:
        record_notification(db=db, appointment=appointment, doctor=doctors.doctor(appointment.doctor_id),
                            kind="cancellation")
    return appointment, True
