"""calendly routes: availability and appointments (internal, service token)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import jsonify, request
from pydantic import BaseModel, Field, field_validator

from services.calendly import outbox, service
from services.calendly.availability_merge import agreed_slots
from services.calendly.scheduling import nearest
from shared.api import parse_json_body, parse_query
from shared.db import transaction, utcnow
from shared.wiring import dependencies

NEAREST_CANDIDATES = 48


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("must include a UTC offset")
    return value


class AvailabilityQuery(BaseModel):
    """GET /calendly/availability parameters."""

    doctor_id: int
    from_: datetime | None = Field(None, alias="from")
    to: datetime | None = None
    near: datetime | None = None
    limit: int = Field(3, ge=1, le=100)

    _check_aware = field_validator("from_", "to", "near")(_aware)


class AppointmentsQuery(BaseModel):
    """GET /calendly/appointments parameters."""

    phone: str = Field(pattern=service.E164)
    clinic_id: int | None = None
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
    return jsonify([service.appointment_json(item, deps.doctors.doctor(item.doctor_id)["name"]) for item in found])


def _book():
    booking = parse_json_body(service.BookingRequest)
    deps = dependencies()
    doctor = deps.doctors.doctor(booking.doctor_id)
    with transaction(deps.db) as db:
        appointment, created = service.book_appointment(db=db, doctor=doctor, booking=booking, now=utcnow())
        if created and deps.calendly:
            # imported here so `python -m services.calendly.sync` does not load the module twice
            from services.calendly.sync import enqueue_booking

            enqueue_booking(db=db, appointment=appointment, doctor=doctor)
    if created:
        outbox.deliver_notifications(db_factory=deps.db, client=deps.client, appointment_id=appointment.id)
    response = jsonify(service.appointment_json(appointment, doctor["name"]))
    response.status_code = 201 if created else 200
    return response


VIEWS = {
    "/calendly/availability": availability,
    "/calendly/appointments": appointments,
}
