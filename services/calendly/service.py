"""Appointments as the system of record: availability, booking with the database's no-overlap
guarantee, lookups by phone, and the notification outbox written in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from services.calendly.models import BOOKED, CANCELLED, Appointment
from services.calendly.outbox import record_notification
from services.calendly.scheduling import Schedule, Slot, bookable_window, free_slots, nearest, slot_problem
from shared import patient_data
from shared.api import ApiError, DatabaseId, OffsetDatetime
from shared.cache import DEFAULT_MAX_ITEMS
from shared.freshness import MISSING, FreshCache
from shared.routes import MAX_DOCTOR_IDS
from shared.service_client import ServiceCallError, ServiceClient

E164 = r"^\+[1-9]\d{6,14}$"
NEAREST_WINDOW = timedelta(days=14)
DEADLOCK_DETECTED = "40P01"  # Postgres SQLSTATE


class PatientDetails(BaseModel):
    """Who the appointment is for."""

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=E164)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=500)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class AppointmentSearch(BaseModel):
    """POST /calendly/appointments/search: a phone number's appointments (the number travels in the body,
    never in a URL)."""

    phone: str = Field(pattern=E164)
    clinic_id: DatabaseId | None = None
    status: str | None = Field(None, max_length=20)
    upcoming: bool = False


class BookingRequest(BaseModel):
    """POST /calendly/appointments."""

    doctor_id: DatabaseId
    start: OffsetDatetime
    patient: PatientDetails
    call_sid: str | None = Field(None, max_length=64)
    source: Literal["phone", "console"] = Field("phone", description="console: booked by staff for a caller")


class CancelRequest(BaseModel):
    """POST /calendly/appointments/<id>/cancel."""

    reason: str | None = Field(None, max_length=500)
    notify: bool = Field(True, description="queue the cancellation text (false when the patient is told otherwise)")


class RescheduleRequest(BaseModel):
    """POST /calendly/appointments/<id>/reschedule."""

    start: OffsetDatetime


class DoctorDirectory:
    """Doctors (with clinic settings) from knowledge_base, cached for the clinic-config TTL and reloaded as
    soon as their clinic's schedule changes (shared/freshness.py); many at once are asked for in batches
    (GET /kb/doctors?ids=...), never one request per doctor."""

    def __init__(self, client: ServiceClient, ttl_seconds: float, max_items: int = DEFAULT_MAX_ITEMS):
        self.client = client
        self.cache = FreshCache(client, ttl_seconds, lambda _, doctor: doctor["clinic"]["slug"],
                                max_items=max_items, name="calendly_doctors")

    def doctor(self, doctor_id: int, *, revalidate: bool = False) -> dict[str, Any]:
        """A doctor's record; ApiError 404 when knowledge_base does not know it. `revalidate` before
        booking: an appointment is checked against the hours knowledge_base has right now."""
        found = self.doctors([doctor_id], revalidate=revalidate).get(doctor_id)
        if found is None:
            raise ApiError(404, "doctor_not_found", f"no doctor with id {doctor_id}")
        return found

    def doctors(self, doctor_ids: Iterable[int], *, revalidate: bool = False) -> dict[int, dict[str, Any]]:
        """Records of the doctors asked for by id (ids knowledge_base does not know are left out)."""
        versions = self.cache.versions_now(revalidate=revalidate)
        found: dict[int, dict[str, Any]] = {}
        missing: list[int] = []
        for doctor_id in sorted(set(doctor_ids)):
            record = self.cache.fresh(doctor_id, versions)
            if record is MISSING:
                missing.append(doctor_id)
            else:
                found[doctor_id] = record
        for first in range(0, len(missing), MAX_DOCTOR_IDS):
            batch = missing[first:first + MAX_DOCTOR_IDS]
            # commas stay literal in the query string: three times shorter than "%2C" under the request-line limit
            answer = self.client.call("GET", "knowledge_base", f"/kb/doctors?ids={','.join(map(str, batch))}")
            if not answer.ok:
                raise ServiceCallError("knowledge_base", "/kb/doctors", answer.status, "lookup failed")
            for record in answer.data:
                self.cache.keep(record["id"], record, versions)
                found[record["id"]] = record
        return found


def appointment_json(appointment: Appointment, doctor_name: str | None = None) -> dict[str, Any]:
    """An appointment as the internal API returns it (times in UTC ISO 8601)."""
    return {
        "id": appointment.id,
        "clinic_id": appointment.clinic_id,
        "doctor_id": appointment.doctor_id,
        "doctor": doctor_name,
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
        "status": appointment.status,
        "source": appointment.source,
        "version": appointment.version,
    }


def clinic_appointments(*, db: Session, clinic_id: int, start: datetime, end: datetime,
                        limit: int) -> list[Appointment]:
    """A clinic's appointments (any status) starting in [start, end), in time order."""
    return list(db.scalars(select(Appointment).where(
        Appointment.clinic_id == clinic_id, Appointment.starts_at >= start, Appointment.starts_at < end,
    ).order_by(Appointment.starts_at, Appointment.doctor_id, Appointment.id).limit(limit)))


def staff_appointment_json(appointment: Appointment, doctor_name: str | None) -> dict[str, Any]:
    """An appointment for the staff console: the patient's name, and the phone's last two digits only."""
    phone = appointment.patient_phone or ""
    return {**appointment_json(appointment, doctor_name), "patient_name": appointment.patient_name,
            "phone_last2": phone[-2:] if phone else None}


def slot_json(slot: Slot) -> dict[str, str]:
    """A free slot as JSON."""
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat()}


def booked_in_window(*, doctor_id: int, start: datetime, end: datetime) -> Select:
    """The doctor's booked appointments overlapping [start, end), as (starts_at, ends_at).

    Read from the index on (doctor_id, ends_at) of booked rows, which holds starts_at too: the scan
    starts at `start` and so never reads the doctor's past, however long their history.
    """
    return select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.doctor_id == doctor_id,
        Appointment.status == BOOKED,
        Appointment.ends_at > start,
        Appointment.starts_at < end,
    )


def find_free_slots(
    *, db: Session, doctor: dict[str, Any], start: datetime, end: datetime, now: datetime
) -> list[Slot]:
    """The doctor's free slots in [start, end)."""
    schedule = Schedule.from_doctor(doctor)
    earliest, latest = bookable_window(schedule, now)
    start, end = max(start, earliest), min(end, latest)
    if start >= end:
        return []
    busy = db.execute(booked_in_window(doctor_id=doctor["id"], start=start, end=end)).all()
    return free_slots(schedule, busy, start, end, now)


def find_nearest_free_slots(
    *, db: Session, doctor: dict[str, Any], target: datetime, limit: int, now: datetime
) -> list[Slot]:
    """The `limit` free slots nearest to `target`, earlier or later; a target outside the bookable
    window (too soon, past the horizon) finds the bookable slots nearest to it."""
    earliest, latest = bookable_window(Schedule.from_doctor(doctor), now)
    centre = min(max(target, earliest), latest)
    slots = find_free_slots(db=db, doctor=doctor, start=centre - NEAREST_WINDOW, end=centre + NEAREST_WINDOW, now=now)
    return nearest(slots, target, limit)


def _lost_race(error: DBAPIError) -> bool:
    """Another booking has the slot: the overlap guard refused this row, or two bookings of one slot
    each waited on the other's overlap check and Postgres broke the deadlock by failing this one."""
    return isinstance(error, IntegrityError) or getattr(error.orig, "pgcode", None) == DEADLOCK_DETECTED


def book_appointment(
    *, db: Session, doctor: dict[str, Any], booking: BookingRequest, now: datetime
) -> tuple[Appointment, bool]:
    """Book a slot, or return the same call's earlier booking of it (a Twilio retry); raises ApiError.

    The insert runs in a savepoint so that the database's overlap guard (exclusion constraint or
    trigger) turns a lost race into a clean 409 instead of a failed transaction.
    """
    start = booking.start.astimezone(now.tzinfo)
    if booking.call_sid:
        earlier = db.scalars(
            select(Appointment).where(
                Appointment.call_sid == booking.call_sid,
                Appointment.doctor_id == doctor["id"],
                Appointment.starts_at == start,
                Appointment.status == BOOKED,
            )
        ).first()
        if earlier is not None:
            return earlier, False
    schedule = Schedule.from_doctor(doctor)
    problem = slot_problem(schedule, start, now)
    if problem:
        raise ApiError(422, "slot_not_bookable", problem.message, reason=problem.code)
    _within_booking_limits(db=db, clinic=doctor["clinic"], booking=booking, now=now)
    appointment = Appointment(
        clinic_id=doctor["clinic"]["id"],
        doctor_id=doctor["id"],
        patient_name=booking.patient.name,
        patient_phone=booking.patient.phone,
        patient_email=booking.patient.email,
        patient_address=booking.patient.address,
        starts_at=start,
        ends_at=start + timedelta(minutes=schedule.slot_minutes),
        status=BOOKED,
        source=booking.source,
        call_sid=booking.call_sid,
    )
    try:
        with db.begin_nested():
            db.add(appointment)
            db.flush()
    except DBAPIError as error:
        if not _lost_race(error):
            raise
        raise ApiError(409, "slot_taken", "that slot has just been booked by someone else") from None
    record_notification(db=db, appointment=appointment, doctor=doctor, kind="booking_confirmation")
    return appointment, True


# A clinic sets its own limits in its options; these are the defaults.
DEFAULT_MAX_UPCOMING_PER_PHONE = 3
DEFAULT_MAX_BOOKINGS_PER_CALL = 1


def _within_booking_limits(*, db: Session, clinic: dict[str, Any], booking: BookingRequest, now: datetime) -> None:
    """Refuse (409) a booking past the clinic's limits: upcoming appointments per phone number, and
    bookings per call (slot hoarding, and texting one number again and again)."""
    options = clinic.get("options") or {}
    per_phone = int(options.get("max_upcoming_per_phone", DEFAULT_MAX_UPCOMING_PER_PHONE))
    upcoming = db.scalar(select(func.count()).select_from(
        phone_lookup(phone=booking.patient.phone, clinic_id=clinic["id"], status=BOOKED, after=now).subquery()))
    if upcoming >= per_phone:
        raise ApiError(409, "phone_limit", f"this number already has {upcoming} upcoming appointments here",
                       limit=per_phone)
    if booking.call_sid:
        per_call = int(options.get("max_bookings_per_call", DEFAULT_MAX_BOOKINGS_PER_CALL))
        booked = db.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.call_sid == booking.call_sid, Appointment.status == BOOKED))
        if booked >= per_call:
            raise ApiError(409, "call_limit", "this call has already booked as many appointments as allowed",
                           limit=per_call)


BOOKED_PAGE = 2000


def upcoming_booked(*, db: Session, doctor_ids: list[int], after: datetime,
                    after_id: int = 0) -> tuple[list[Appointment], bool]:
    """One page (BOOKED_PAGE) of the doctors' booked appointments that end after `after`, in id order
    from `after_id`, and whether there are more."""
    limit = BOOKED_PAGE
    rows = list(db.scalars(
        select(Appointment).where(Appointment.doctor_id.in_(doctor_ids), Appointment.status == BOOKED,
                                  Appointment.ends_at > after, Appointment.id > after_id)
        .order_by(Appointment.id).limit(limit + 1)
    ))
    return rows[:limit], len(rows) > limit


def booked_time_json(appointment: Appointment) -> dict[str, Any]:
    """An appointment's id, doctor and times: what other services may know of it, no patient data."""
    return {"id": appointment.id, "doctor_id": appointment.doctor_id, "start": appointment.starts_at.isoformat(),
            "end": appointment.ends_at.isoformat()}


def has_phone(phone: str) -> ColumnElement[bool]:
    """The condition that picks a phone number's appointments: the one place that knows how phones are
    looked up, by their blind index (index on (patient_phone_hash, starts_at))."""
    return patient_data.matches(Appointment.patient_phone_hash, phone)


def phone_lookup(
    *, phone: str, clinic_id: int | None = None, status: str | None = None, after: datetime | None = None
) -> Select:
    """A phone number's appointments in time order, optionally by clinic, status and start time."""
    statement = select(Appointment).where(has_phone(phone)).order_by(Appointment.starts_at)
    if clinic_id is not None:
        statement = statement.where(Appointment.clinic_id == clinic_id)
    if status is not None:
        statement = statement.where(Appointment.status == status)
    if after is not None:
        statement = statement.where(Appointment.starts_at > after)
    return statement


def appointments_for_phone(
    *, db: Session, phone: str, clinic_id: int | None = None, status: str | None = None, after: datetime | None = None
) -> list[Appointment]:
    """A phone number's appointments in time order, optionally by clinic, status and start time."""
    return list(db.scalars(phone_lookup(phone=phone, clinic_id=clinic_id, status=status, after=after)))


def locked_appointment(*, db: Session, appointment_id: int) -> Appointment:
    """An appointment, row-locked for a change; ApiError 404 when unknown."""
    appointment = db.get(Appointment, appointment_id, with_for_update=True)
    if appointment is None:
        raise ApiError(404, "appointment_not_found", f"no appointment with id {appointment_id}")
    return appointment


def _require_booked(appointment: Appointment) -> None:
    if appointment.status != BOOKED:
        raise ApiError(409, "not_booked", f"the appointment is {appointment.status}, not booked",
                       appointment_status=appointment.status)


def cancel_appointment(
    *, db: Session, appointment: Appointment, doctor: dict[str, Any], notify: bool = True
) -> tuple[Appointment, bool]:
    """Cancel a booked appointment and (unless told not to) queue its notice; returns (appointment, changed).

    Cancelling a cancelled appointment changes nothing (a retried request); other states are a 409.
    """
    if appointment.status == CANCELLED:
        return appointment, False
    _require_booked(appointment)
    appointment.status = CANCELLED
    appointment.version += 1
    db.flush()
    if notify:
        record_notification(db=db, appointment=appointment, doctor=doctor, kind="cancellation")
    return appointment, True


def reschedule_appointment(
    *, db: Session, appointment: Appointment, doctor: dict[str, Any], start: datetime, now: datetime
) -> tuple[Appointment, bool]:
    """Move a booked appointment to a new start; returns (appointment, moved). Raises ApiError.

    The row's times change inside a savepoint, so the database's overlap guard decides: the new slot
    is secured and the old one released in the same statement, and when the new slot is taken the
    savepoint is rolled back and the old booking stays exactly as it was.
    """
    _require_booked(appointment)
    start = start.astimezone(now.tzinfo)
    if appointment.starts_at == start:
        return appointment, False
    schedule = Schedule.from_doctor(doctor)
    problem = slot_problem(schedule, start, now)
    if problem:
        raise ApiError(422, "slot_not_bookable", problem.message, reason=problem.code)
    try:
        with db.begin_nested():
            appointment.starts_at = start
            appointment.ends_at = start + timedelta(minutes=schedule.slot_minutes)
            appointment.version += 1
            db.flush()
    except DBAPIError as error:
        if not _lost_race(error):
            raise
        db.refresh(appointment)
        raise ApiError(409, "slot_taken", "that slot has just been booked by someone else") from None
    record_notification(db=db, appointment=appointment, doctor=doctor, kind="reschedule")
    return appointment, True
