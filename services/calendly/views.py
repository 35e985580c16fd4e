"""calendly routes: availability, appointments and their audit log, one-time codes (internal, service
token). Every read or change of an appointment is written to the audit log in its own transaction."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import jsonify, request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from services.calendly import attendance, audit, conflicts, outbox, service, sync, verification
from services.calendly.availability_merge import agreed_slots
from services.calendly.models import BOOKED, Appointment
from services.calendly.scheduling import Schedule, nearest, slot_problem
from shared.api import ApiError, DatabaseId, OffsetDatetime, acting_staff, parse_json_body, parse_query
from shared.clock import now as clock_now
from shared.db import transaction
from shared.service_client import ServiceCallError
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


class AuditQuery(BaseModel):
    """GET /calendly/appointments/<id>/audit parameters."""

    after_id: int = Field(0, ge=0, description="the last id of the previous page")


class BookedQuery(BaseModel):
    """GET /calendly/booked-appointments parameters: doctor ids (comma-separated) and an instant."""

    doctor_ids: str = Field(pattern=r"^\d{1,12}(,\d{1,12})*$", max_length=2600, description="at most 200 ids")
    after: OffsetDatetime
    after_id: int = Field(0, ge=0, description="the last id of the previous page")


class ClinicAppointmentsQuery(BaseModel):
    """GET /calendly/clinic-appointments parameters: a clinic and a window of start times."""

    clinic_id: DatabaseId
    from_: OffsetDatetime = Field(alias="from")
    to: OffsetDatetime
    limit: int = Field(2000, ge=1, le=5000)


class ConflictsQuery(BaseModel):
    """GET /calendly/conflicts parameters."""

    clinic_id: DatabaseId
    include_done: bool = False


class ConflictDone(BaseModel):
    """POST /calendly/conflicts/<id>/done."""

    clinic_id: DatabaseId
    note: str = Field("", max_length=2000)


def availability():
    """Free slots of a doctor: in a window (from/to), or nearest to a time (near)."""
    query = parse_query(AvailabilityQuery)
    deps = dependencies()
    doctor = deps.doctors.doctor(query.doctor_id)
    now = clock_now()
    with transaction(deps.db) as db:
        if query.near:
            # with Calendly on, take more local candidates than asked, since Calendly may refuse some
            wanted = query.limit if deps.calendly_availability is None else NEAREST_CANDIDATES
            local = service.find_nearest_free_slots(db=db, doctor=doctor, target=query.near, limit=wanted, now=now)
        else:
            start = query.from_ or now
            end = query.to or now + timedelta(days=doctor["clinic"]["horizon_days"])
            local = service.find_free_slots(db=db, doctor=doctor, start=start, end=end, now=now)
    body = {"doctor_id": doctor["id"], "timezone": doctor["clinic"]["timezone"],
            "horizon_days": doctor["clinic"]["horizon_days"]}
    if query.near:
        agreed = agreed_slots(local, doctor=doctor, availability=deps.calendly_availability, now=now)
        body["near"] = _requested(doctor, query.near, agreed, now)
        slots = nearest(agreed, query.near, query.limit)
    else:
        slots = agreed_slots(local, doctor=doctor, availability=deps.calendly_availability, now=now, limit=query.limit)
    return jsonify({**body, "slots": [service.slot_json(slot) for slot in slots]})


def _requested(doctor: dict, start, free: list, now) -> dict:
    """Whether the time asked about is free, and if not, why: a rule of the schedule or a booking."""
    problem = slot_problem(Schedule.from_doctor(doctor), start, now)
    is_free = problem is None and any(slot.start == start for slot in free)
    return {"start": start.isoformat(), "free": is_free,
            "problem": problem.code if problem else None if is_free else "taken"}


def search_appointments():
    """POST /calendly/appointments/search: a phone number's appointments, optionally by clinic, status and
    still to come."""
    query = parse_json_body(service.AppointmentSearch)
    deps = dependencies()
    now = clock_now()
    with transaction(deps.db) as db:
        found = service.appointments_for_phone(
            db=db, phone=query.phone, clinic_id=query.clinic_id, status=query.status,
            after=now if query.upcoming else None,
        )
        audit.record(db=db, appointment_ids=[item.id for item in found], action=audit.READ, actor=audit.requester(),
                     at=now)
    doctors = deps.doctors.doctors(item.doctor_id for item in found)
    return jsonify([service.appointment_json(item, doctors.get(item.doctor_id, {}).get("name")) for item in found])


def book():
    """POST /calendly/appointments: book a slot (201), or the same call's earlier booking of it (200)."""
    booking = parse_json_body(service.BookingRequest)
    deps = dependencies()
    doctor = deps.doctors.doctor(booking.doctor_id, revalidate=True)
    now = clock_now()
    with transaction(deps.db) as db:
        appointment, created = service.book_appointment(db=db, doctor=doctor, booking=booking, now=now)
        if created and deps.calendly:
            sync.enqueue_booking(db=db, appointment=appointment, doctor=doctor)
        audit.record(db=db, appointment_ids=[appointment.id], action=audit.BOOK if created else audit.READ,
                     actor=audit.requester(), at=now)
    if created:
        try:
            outbox.deliver_notifications(db_factory=deps.db, publisher=deps.publisher, appointment_id=appointment.id)
        except SQLAlchemyError as error:
            # The booking is committed with its notification in the outbox: the caller must hear "booked".
            log.warning("appointment %s booked; its notification stays queued: %s", appointment.id,
                        type(error).__name__)
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
        audit.record(db=db, appointment_ids=[appointment_id], action=audit.CANCEL if changed else audit.READ,
                     actor=audit.requester(), at=clock_now())
        body = service.appointment_json(appointment, doctor["name"])
    if changed:
        outbox.deliver_notifications(db_factory=deps.db, publisher=deps.publisher, appointment_id=appointment_id)
    return jsonify(body)


def reschedule(appointment_id: int):
    """Move a booked appointment; 404 unknown, 409 slot taken or not booked, 422 time not bookable."""
    move = parse_json_body(service.RescheduleRequest)
    deps = dependencies()
    now = clock_now()
    with transaction(deps.db) as db:
        appointment = service.locked_appointment(db=db, appointment_id=appointment_id)
        doctor = deps.doctors.doctor(appointment.doctor_id, revalidate=True)
        _, moved = service.reschedule_appointment(db=db, appointment=appointment, doctor=doctor, start=move.start,
                                                  now=now)
        if moved and deps.calendly:
            sync.enqueue_reschedule(db=db, appointment=appointment, doctor=doctor)
        audit.record(db=db, appointment_ids=[appointment_id], action=audit.MOVE if moved else audit.READ,
                     actor=audit.requester(), at=now)
        body = service.appointment_json(appointment, doctor["name"])
    if moved:
        outbox.deliver_notifications(db_factory=deps.db, publisher=deps.publisher, appointment_id=appointment_id)
    return jsonify(body)


def appointment_audit(appointment_id: int):
    """GET /calendly/appointments/<id>/audit[?after_id=]: who read or changed the appointment, oldest first
    (a page at a time); 404 for an unknown appointment."""
    query = parse_query(AuditQuery)
    with transaction(dependencies().db) as db:
        if db.scalar(select(Appointment.id).where(Appointment.id == appointment_id)) is None:
            raise ApiError(404, "appointment_not_found", f"no appointment with id {appointment_id}")
        found = audit.entries(db=db, appointment_id=appointment_id, after_id=query.after_id)
        return jsonify({"appointment_id": appointment_id, "entries": [audit.entry_json(entry) for entry in found],
                        "next_after_id": found[-1].id if len(found) == audit.MAX_LISTED else None})


def clinic_appointments():
    """GET /calendly/clinic-appointments?clinic_id=&from=&to=: a clinic's appointments starting in the window,
    in time order, with the patient's name (for the staff console's day view); each listing is audited."""
    query = parse_query(ClinicAppointmentsQuery)
    if query.to <= query.from_ or query.to - query.from_ > timedelta(days=31):
        raise ApiError(422, "invalid_range", "'to' must be after 'from' and at most 31 days later")
    deps = dependencies()
    with transaction(deps.db) as db:
        found = service.clinic_appointments(db=db, clinic_id=query.clinic_id, start=query.from_, end=query.to,
                                            limit=query.limit)
        audit.record(db=db, appointment_ids=[item.id for item in found], action=audit.READ, actor=audit.requester(),
                     at=clock_now())
        doctors = deps.doctors.doctors({item.doctor_id for item in found})
        return jsonify([service.staff_appointment_json(item, doctors.get(item.doctor_id, {}).get("name"))
                        for item in found])


def list_conflicts():
    """GET /calendly/conflicts?clinic_id=[&include_done=]: Calendly bookings that clashed with ours, for staff."""
    query = parse_query(ConflictsQuery)
    deps = dependencies()
    with transaction(deps.db) as db:
        found = conflicts.clinic_conflicts(db=db, clinic_id=query.clinic_id, include_done=query.include_done)
        doctors = deps.doctors.doctors({record.doctor_id for record in found if record.doctor_id})
        return jsonify([conflicts.conflict_json(record, doctors.get(record.doctor_id, {}).get("name"))
                        for record in found])


def close_conflict(conflict_id: int):
    """POST /calendly/conflicts/<id>/done {"clinic_id", "note"}: the staff member (X-Staff-User) resolved it."""
    body = parse_json_body(ConflictDone)
    staff = acting_staff()
    with transaction(dependencies().db) as db:
        record = conflicts.close_conflict(db=db, conflict_id=conflict_id, clinic_id=body.clinic_id, staff=staff,
                                          note=body.note, now=clock_now())
        return jsonify(conflicts.conflict_json(record, None))


def booked_appointments():
    """GET /calendly/booked-appointments?doctor_ids=1,2&after=...[&after_id=]: booked appointments of those
    doctors that have not ended, a page at a time; ids and times only (knowledge_base checks them
    against new schedules)."""
    query = parse_query(BookedQuery)
    with transaction(dependencies().db) as db:
        found, more = service.upcoming_booked(db=db,
                                              doctor_ids=[int(doctor_id) for doctor_id in query.doctor_ids.split(",")],
                                              after=query.after, after_id=query.after_id)
        return jsonify({"appointments": [service.booked_time_json(appointment) for appointment in found],
                        "next_after_id": found[-1].id if more else None})


def confirm_attendance(appointment_id: int):
    """POST /calendly/appointments/<id>/confirm: the patient said they will come (repeat-safe)."""
    deps = dependencies()
    now = clock_now()
    with transaction(deps.db) as db:
        appointment = attendance.confirm_attendance(db=db, appointment_id=appointment_id, now=now)
        audit.record(db=db, appointment_ids=[appointment_id], action=audit.CONFIRM, actor=audit.requester(), at=now)
    return jsonify(attendance.attendance_json(appointment, deps.doctors.doctor(appointment.doctor_id)["name"]))


def _verification_limits() -> verification.Limits:
    settings = dependencies().settings
    return verification.Limits(settings.verification_code_minutes, settings.verification_tries,
                               settings.verification_codes_per_phone_per_hour,
                               settings.verification_codes_per_caller_per_hour)


def start_verification():
    """POST /calendly/verifications: text a one-time code to the number, if it has upcoming appointments
    at the clinic; the answer is the same either way (201 with the verification's id), or 429."""
    asked = parse_json_body(verification.VerificationRequest)
    deps = dependencies()
    now = clock_now()
    with transaction(deps.db) as db:
        upcoming = service.appointments_for_phone(db=db, phone=asked.phone, clinic_id=asked.clinic_id,
                                                  status=BOOKED, after=now)
        started, code = verification.start(db=db, request=asked, has_appointments=bool(upcoming),
                                           limits=_verification_limits(), now=now)
        audit.record(db=db, appointment_ids=[item.id for item in upcoming], action=audit.CODE_TEXTED,
                     actor=audit.requester(), at=now)
    if code is not None:
        _text_code(started.id, asked, code)
    response = jsonify({"id": started.id, "expires_at": started.expires_at.isoformat()})
    response.status_code = 201
    return response


def _text_code(verification_id: int, asked: verification.VerificationRequest, code: str) -> None:
    """Hand the code to messaging once (its idempotency key makes a retried hand-over harmless)."""
    key = f"verification:{verification_id}"
    try:
        dependencies().client.call("POST", "messaging", "/messaging/sms", idempotency_key=key, json={
            "idempotency_key": key, "kind": "verification_code", "to": asked.phone, "clinic_id": asked.clinic_id,
            "clinic_name": asked.clinic_name, "code": code,
            "valid_minutes": dependencies().settings.verification_code_minutes,
        })
    except ServiceCallError as error:
        log.warning("verification code %s not handed to messaging: %s", verification_id, error.status or error.message)


def check_verification(verification_id: int):
    """POST /calendly/verifications/<id>/check: 200 with the verified number, or why not (a wrong code
    uses up one of the tries)."""
    answer = parse_json_body(verification.CodeCheck)
    with transaction(dependencies().db) as db:
        checked, outcome = verification.check(db=db, verification_id=verification_id, check_request=answer,
                                              limits=_verification_limits(), now=clock_now())
        tries_left = max(_verification_limits().tries - checked.tries, 0) if checked else 0
        phone = checked.phone if checked else None
    if outcome != "verified":
        status, error, message = verification.CHECK_ERRORS[outcome]
        raise ApiError(status, error, message, tries_left=tries_left)
    return jsonify({"verified": True, "phone": phone})


VIEWS = {
    "/calendly/availability": availability,
    "/calendly/appointments": book,
    "/calendly/appointments/search": search_appointments,
    "/calendly/appointments/<int:appointment_id>/audit": appointment_audit,
    "/calendly/appointments/<int:appointment_id>/cancel": cancel,
    "/calendly/appointments/<int:appointment_id>/reschedule": reschedule,
    "/calendly/appointments/<int:appointment_id>/confirm": confirm_attendance,
    "/calendly/verifications": start_verification,
    "/calendly/verifications/<int:verification_id>/check": check_verification,
    "/calendly/booked-appointments": booked_appointments,
    "/calendly/clinic-appointments": clinic_appointments,
    "/calendly/conflicts": list_conflicts,
    "/calendly/conflicts/<int:conflict_id>/done": close_conflict,
}
