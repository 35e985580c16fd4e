"""calendly routes: availability and appointments (internal, service token)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import jsonify, request
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from services.calendly import attendance, outbox, service, sync
from services.calendly.availability_merge import agreed_slots
from services.calendly.scheduling import nearest
from shared.api import DatabaseId, OffsetDatetime, parse_json_body, parse_query
from shared.db import transaction, utcnow
from shared.wiring import dependencies

log = logging.getLogger(__name__)
NEAREST_CANDIDATES = 48


class AvailabilityQuery(BaseModel):
    """GET /calendly/availability parameters."""

    doctor_id: DatabaseId
    from_: OffsetDatetime | None = Field(None, alias="from")
    to: OffsetDatetime | None = None
    near: OffsetDatetime | None = None
    limit: int = Field(3, ge=1, le=100)


class AppointmentsQuery(BaseModel):
    """GET /calendly/appointments parameters."""

    phone: str = Field(pattern=service.E164)
    clinic_id: DatabaseId | None = None
    status: str | None = None
    upcoming: bool = False


def availability():
    """Free slots of a doctor: in a window (from/to), or nearest to a time (near)."""
    query = parse_query(AvailabilityQuery)
    deps = dependencies()
    doctor = deps.doctors.doctor(query.doctor_id)
    now = utcnow()
    with transaction(deps.db) as db:
        if query.near:
            # with Calendly on, take more local candidates than asked, since Calendly may refuse some
            wanted = query.limit if deps.calendly_availability is None else NEAREST_CANDIDATES
            local = service.find_nearest_free_slots(db=db, doctor=doctor, target=query.near, limit=wanted, now=now)
        else:
            start = query.from_ or now
            end = query.to or now + timedelta(days=doctor["clinic"]["horizon_days"])
            local = service.find_free_slots(db=db, doctor=doctor, start=start, end=end, now=now)
    if query.near:
        slots = nearest(agreed_slots(local, doctor=doctor, availability=deps.calendly_availability, now=now),
                        query.near, query.limit)
    else:
        slots = agreed_slots(local, doctor=doctor, availability=deps.calendly_availability, now=now, limit=query.limit)
    return jsonify({"doctor_id": doctor["id"], "timezone": doctor["clinic"]["timezone"],
                    "horizon_days": doctor["clinic"]["horizon_days"],
                    "slots": [service.slot_json(slot) for slot in slots]})


def appointments():
    """GET lists a phone number's appointments; POST books one."""
    return _book() if request.method == "POST" else _list()


def _list():
    query = parse_query(AppointmentsQuery)
    deps = dependencies()
    with transaction(deps.db) as db:
        found = service.appointments_for_phone(
            db=db, phone=query.phone, clinic_id=query.clinic_id, status=query.status,
            after=utcnow() if query.upcoming else None,
        )
    doctors = deps.doctors.doctors(item.doctor_id for item in found)
    return jsonify([service.appointment_json(item, doctors.get(item.doctor_id, {}).get("name")) for item in found])


def _book():
    booking = parse_json_body(service.BookingRequest)
    deps = dependencies()
    doctor = deps.doctors.doctor(booking.doctor_id)
    with transaction(deps.db) as db:
        appointment, created = service.book_appointment(db=db, doctor=doctor, booking=booking, now=utcnow())
        if created and deps.calendly:
            sync.enqueue_booking(db=db, appointment=appointment, doctor=doctor)
    if created:
        try:
            outbox.deliver_notifications(db_factory=deps.db, publisher=deps.publisher, appointment_id=appointment.id)
        except SQLAlchemyError as error:
            # The booking is committed with its notification in the outbox: the caller must hear "booked".
            log.warning("appointment %s booked; its notification stays queued: %s", appointment.id, type(error).__name__)
    response = jsonify(service.appointment_json(appointment, doctor["name"]))
    response.status_code = 201 if created else 200
    return response


def cancel(appointment_id: int):
    """Cancel a booked appointment (repeat-safe); 404 unknown, 409 when completed or a no-show."""
    # the body is optional, but when sent it must be valid
    cancellation = parse_json_body(service.CancelRequest) if request.get_data() else service.CancelRequest()
    deps = dependencies()
    with transaction(deps.db) as db:
        appointment = service.locked_appointment(db=db, appointment_id=appointment_id)
        doctor = deps.doctors.doctor(appointment.doctor_id)
        _, changed = service.cancel_appointment(db=db, appointment=appointment, doctor=doctor,
                                                notify=cancellation.notify)
        if changed and deps.calendly:
            sync.enqueue_cancellation(db=db, appointment=appointment)
        body = service.appointment_json(appointment, doctor["name"])
    if changed:
        outbox.deliver_notifications(db_factory=deps.db, publisher=deps.publisher, appointment_id=appointment_id)
    return jsonify(body)


def reschedule(appointment_id: int):
    """Move a booked appointment; 404 unknown, 409 slot taken or not booked, 422 time not bookable."""
    move = parse_json_body(service.RescheduleRequest)
    deps = dependencies()
    with transaction(deps.db) as db:
        appointment = service.locked_appointment(db=db, appointment_id=appointment_id)
        doctor = deps.doctors.doctor(appointment.doctor_id)
        _, moved = service.reschedule_appointment(db=db, appointment=appointment, doctor=doctor, start=move.start,
                                                  now=utcnow())
        if moved and deps.calendly:
            sync.enqueue_reschedule(db=db, appointment=appointment, doctor=doctor)
        body = service.appointment_json(appointment, doctor["name"])
    if moved:
        outbox.deliver_notifications(db_factory=deps.db, publisher=deps.publisher, appointment_id=appointment_id)
    return jsonify(body)


def confirm_attendance(appointment_id: int):
    """POST /calendly/appointments/<id>/confirm: the patient said they will come (repeat-safe)."""
    deps = dependencies()
    with transaction(deps.db) as db:
        appointment = attendance.confirm_attendance(db=db, appointment_id=appointment_id, now=utcnow())
    return jsonify(attendance.attendance_json(appointment, deps.doctors.doctor(appointment.doctor_id)["name"]))


VIEWS = {
    "/calendly/availability": availability,
    "/calendly/appointments": appointments,
    "/calendly/appointments/<int:appointment_id>/cancel": cancel,
    "/calendly/appointments/<int:appointment_id>/reschedule": reschedule,
    "/calendly/appointments/<int:appointment_id>/confirm": confirm_attendance,
}
