"""`POST /webhooks/calendly`: Calendly's invitee.created / invitee.canceled applied to our appointments.

The `Calendly-Webhook-Signature` header (t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{raw body}" keyed
by the subscription's signing key>) is checked first; stale timestamps (3 minutes) are refused. Each
(event, invitee URI) is applied once: a redelivery answers "duplicate" and changes nothing. Bookings
we pushed ourselves are recognised by their invitee URI (or, before the sync stored it, by doctor,
start and phone) and never duplicated. The callback URL carries `?clinic=<slug>` (the
register-webhook command adds it) so event types are matched against that clinic's doctors.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.calendly import audit
from services.calendly.calendly_api import BookedInvitee, CalendlyClient, CalendlyError, ScheduledEvent, parse_time
from services.calendly.models import BOOKED, CANCELLED, Appointment, CalendlySyncTask, CalendlyWebhookEvent
from services.calendly.outbox import deliver_notifications, record_notification
from shared.api import ApiError
from shared.clock import now as clock_now
from shared.db import transaction, utcnow
from shared.service_client import ServiceCallError
from shared.wiring import dependencies

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Calendly-Webhook-Signature"
# What a webhook's outcome did to an appointment, as the audit log names it.
AUDITED = {"created": audit.BOOK, "linked": audit.LINK, "moved": audit.MOVE, "cancelled": audit.CANCEL}
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CREATED, CANCELED = "invitee.created", "invitee.canceled"


class InviteePayload(BaseModel):
    """The invitee fields of a webhook payload we use (Calendly sends many more)."""

    uri: str
    event: str
    name: str | None = None
    email: str | None = None
    text_reminder_number: str | None = None
    cancel_url: str | None = None
    reschedule_url: str | None = None
    rescheduled: bool = False
    old_invitee: str | None = None
    new_invitee: str | None = None
    scheduled_event: dict[str, Any] | None = None


class WebhookBody(BaseModel):
    """A Calendly webhook delivery."""

    event: str
    created_at: str | None = None
    payload: dict[str, Any]


@dataclass(frozen=True)
class Booking:
    """An invitee with its scheduled event: who, and when."""

    invitee: BookedInvitee
    event: ScheduledEvent


def verify_signature(header: str | None, raw_body: bytes, signing_key: str | None, now: float,
                     tolerance_seconds: int) -> None:
    """Raise ApiError 401 (missing, wrong or stale signature) or 400 (malformed header); else return."""
    if not signing_key:
        log.error("Calendly webhook refused: CALENDLY_WEBHOOK_SIGNING_KEY is not set")
        raise ApiError(401, "webhook_not_configured", "no webhook signing key is configured")
    if not header:
        raise ApiError(401, "missing_signature", f"the {SIGNATURE_HEADER} header is required")
    parts: dict[str, str] = {}
    for item in header.split(","):
        name, separator, value = item.strip().partition("=")
        if not separator:
            raise ApiError(400, "malformed_signature", f"{SIGNATURE_HEADER} must look like t=...,v1=...")
        parts[name] = value
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        raise ApiError(400, "malformed_signature", f"{SIGNATURE_HEADER} must carry t=<unix time> and v1=<hex>")
    expected = hmac.new(signing_key.encode(), f"{parts['t']}.".encode() + raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        raise ApiError(401, "bad_signature", "the webhook signature does not match")
    if abs(now - int(parts["t"])) > tolerance_seconds:
        raise ApiError(401, "stale_signature", "the webhook timestamp is too old")


def parse_body(raw_body: bytes) -> tuple[str, InviteePayload | None]:
    """The event name and, for invitee events, the invitee; ApiError 400 when malformed."""
    try:
        body = WebhookBody.model_validate(json.loads(raw_body))
        invitee = InviteePayload.model_validate(body.payload) if body.event in (CREATED, CANCELED) else None
    except (ValueError, ValidationError):
        raise ApiError(400, "malformed_webhook", "the body is not a Calendly webhook payload") from None
    return body.event, invitee


def phone_from(number: str | None) -> str | None:
    """Calendly's text_reminder_number ("+1 404-555-1234") as E.164, or None."""
    if not number:
        return None
    compact = re.sub(r"[^\d+]", "", number)
    return compact if E164.match(compact) else None


def _by_invitee(db: Session, uri: str | None) -> Appointment | None:
    if not uri:
        return None
    return db.scalars(select(Appointment).where(Appointment.calendly_invitee_uri == uri)).first()


def _event_of(invitee: InviteePayload, calendly: CalendlyClient | None) -> ScheduledEvent:
    embedded = invitee.scheduled_event
    if embedded and embedded.get("start_time") and embedded.get("end_time"):
        return ScheduledEvent(embedded.get("uri") or invitee.event, embedded.get("event_type"),
                              parse_time(embedded["start_time"]), parse_time(embedded["end_time"]),
                              embedded.get("status", "active"))
    if calendly is None:
        raise ApiError(503, "calendly_not_configured", "the event's time is needed and CALENDLY_TOKEN is not set")
    return calendly.get_event(invitee.event)


def _as_booked(invitee: InviteePayload) -> BookedInvitee:
    return BookedInvitee(invitee.uri, invitee.event, invitee.cancel_url, invitee.reschedule_url, None,
                         invitee.name, invitee.email, invitee.text_reminder_number, invitee.old_invitee,
                         invitee.new_invitee)


def _doctor_for_event_type(deps, clinic_slug: str | None, event_type: str | None) -> dict[str, Any] | None:
    if not clinic_slug or not event_type:
        return None
    try:
        doctors = deps.client.get("knowledge_base", f"/kb/clinics/{clinic_slug}/doctors")
    except ServiceCallError as error:
        if error.status == 404:
            return None
        raise
    match = next((doctor for doctor in doctors if doctor.get("calendly_event_type") == event_type), None)
    return deps.doctors.doctor(match["id"]) if match else None


def _link(appointment: Appointment, invitee: BookedInvitee) -> None:
    appointment.calendly_invitee_uri, appointment.calendly_event_uri = invitee.uri, invitee.event
    appointment.cancel_url, appointment.reschedule_url = invitee.cancel_url, invitee.reschedule_url


def _move(db: Session, deps, appointment: Appointment, booking: Booking) -> str:
    try:
        with db.begin_nested():
            appointment.starts_at, appointment.ends_at = booking.event.start, booking.event.end
            appointment.version += 1
            _link(appointment, booking.invitee)
            db.flush()
    except IntegrityError:
        log.warning("Calendly moved appointment %s onto a slot taken locally; left for staff", appointment.id)
        return "conflict"
    if phone_from(appointment.patient_phone):
        record_notification(db=db, appointment=appointment, doctor=deps.doctors.doctor(appointment.doctor_id),
                            kind="reschedule")
    return "moved"


def _own_unlinked_booking(db: Session, doctor_id: int, start: datetime, invitee: BookedInvitee) -> Appointment | None:
    """Our phone booking of this slot whose Calendly invitee the sync has not stored yet."""
    candidate = db.scalars(select(Appointment).where(
        Appointment.doctor_id == doctor_id, Appointment.starts_at == start, Appointment.status == BOOKED,
        Appointment.calendly_invitee_uri.is_(None),
    )).first()
    if candidate is None:
        return None
    same_phone = phone_from(invitee.text_reminder_number) == candidate.patient_phone
    same_email = bool(invitee.email and candidate.patient_email
                      and invitee.email.lower() == candidate.patient_email.lower())
    return candidate if same_phone or same_email else None


def apply_created(*, db: Session, deps, booking: Booking,
                  doctor: dict[str, Any] | None) -> tuple[str, Appointment | None]:
    """invitee.created: recognise our own booking, follow a Calendly-side move, or block the slot locally."""
    invitee = booking.invitee
    known = _by_invitee(db, invitee.uri)
    if known is not None:
        return "known", known
    previous = _by_invitee(db, invitee.old_invitee)
    if previous is not None and previous.status == BOOKED:
        return _move(db, deps, previous, booking), previous
    if doctor is None:
        log.warning("Calendly booking for an event type no doctor is mapped to; not blocking any slot")
        return "unmapped", None
    own = _own_unlinked_booking(db, doctor["id"], booking.event.start, invitee)
    if own is not None:
        _link(own, invitee)
        for task in db.scalars(select(CalendlySyncTask).where(
            CalendlySyncTask.appointment_id == own.id, CalendlySyncTask.kind == "book",
            CalendlySyncTask.status == "pending",
        )):
            task.status, task.done_at = "done", utcnow()
        return "linked", own
    appointment = Appointment(
        clinic_id=doctor["clinic"]["id"], doctor_id=doctor["id"],
        patient_name=(invitee.name or "Calendly invitee")[:200],
        patient_phone=phone_from(invitee.text_reminder_number) or "", patient_email=invitee.email,
        starts_at=booking.event.start, ends_at=booking.event.end, status=BOOKED, source="calendly",
    )
    _link(appointment, invitee)
    try:
        with db.begin_nested():
            db.add(appointment)
            db.flush()
    except IntegrityError:
        log.warning("Calendly booking overlaps a local appointment of doctor %s; left for staff", doctor["id"])
        return "conflict", None
    return "created", appointment


def apply_canceled(*, db: Session, deps, invitee: InviteePayload,
                   replacement: Booking | None) -> tuple[str, Appointment | None]:
    """invitee.canceled: cancel locally, or move when Calendly rescheduled it to a new invitee."""
    appointment = _by_invitee(db, invitee.uri)
    if appointment is None:
        return "unknown", None
    if replacement is not None:
        return _move(db, deps, appointment, replacement), appointment
    if appointment.status != BOOKED:
        return "already_cancelled", appointment
    appointment.status = CANCELLED
    appointment.version += 1
    db.flush()
    if phone_from(appointment.patient_phone):
        record_notification(db=db, appointment=appointment, doctor=deps.doctors.doctor(appointment.doctor_id),
                            kind="cancellation")
    return "cancelled", appointment


def _needs(deps, event: str, invitee: InviteePayload) -> tuple[bool, bool]:
    """(already processed, Calendly must be asked) decided on a read-only look before any fetching."""
    with transaction(deps.db) as db:
        if db.scalars(select(CalendlyWebhookEvent.id).where(
            CalendlyWebhookEvent.dedupe_key == f"{event}:{invitee.uri}"
        )).first() is not None:
            return True, False
        if event == CREATED:
            return False, _by_invitee(db, invitee.uri) is None
        local = _by_invitee(db, invitee.uri)
        moving = invitee.rescheduled and invitee.new_invitee and local is not None
        return False, bool(moving and _by_invitee(db, invitee.new_invitee) is None)


def handle(deps, event: str, invitee: InviteePayload, clinic_slug: str | None) -> str:
    """Apply one invitee event once; the outcome names what happened."""
    duplicate, fetch = _needs(deps, event, invitee)
    if duplicate:
        return "duplicate"
    booking: Booking | None = None
    doctor: dict[str, Any] | None = None
    try:
        if event == CREATED and fetch:
            booking = Booking(_as_booked(invitee), _event_of(invitee, deps.calendly))
            doctor = _doctor_for_event_type(deps, clinic_slug, booking.event.event_type)
        elif event == CANCELED and fetch:
            if deps.calendly is None:
                raise ApiError(503, "calendly_not_configured",
                               "the new invitee is needed and CALENDLY_TOKEN is not set")
            new_invitee = deps.calendly.get_invitee(invitee.new_invitee)
            booking = Booking(new_invitee, deps.calendly.get_event(new_invitee.event))
    except CalendlyError as error:
        raise ApiError(503, "calendly_unavailable", f"could not read the event from Calendly ({error.title})") from None
    try:
        with transaction(deps.db) as db:
            record = CalendlyWebhookEvent(dedupe_key=f"{event}:{invitee.uri}", event=event, invitee_uri=invitee.uri,
                                          outcome="processing", received_at=utcnow())
            db.add(record)
            db.flush()
            if event == CREATED and booking is None:
                outcome, appointment = "known", _by_invitee(db, invitee.uri)
            elif event == CREATED:
                outcome, appointment = apply_created(db=db, deps=deps, booking=booking, doctor=doctor)
            else:
                outcome, appointment = apply_canceled(db=db, deps=deps, invitee=invitee, replacement=booking)
            record.outcome = outcome
            record.appointment_id = appointment.id if appointment is not None else None
            if outcome == "conflict":
                _left_for_staff(record, booking, doctor, appointment)
            if appointment is not None and outcome in AUDITED:
                audit.record(db=db, appointment_ids=[appointment.id], action=AUDITED[outcome],
                             actor=audit.webhook_actor("calendly"), at=clock_now())
    except IntegrityError:
        return "duplicate"  # a concurrent delivery of the same event committed first
    if appointment is not None and outcome in ("moved", "cancelled"):
        deliver_notifications(db_factory=deps.db, client=deps.client, appointment_id=appointment.id)
    return outcome


def _left_for_staff(record: CalendlyWebhookEvent, booking: Booking | None, doctor: dict[str, Any] | None,
                    appointment: Appointment | None) -> None:
    """Note where and when a clash happened, for the staff console's callback queue."""
    if appointment is not None:
        record.clinic_id, record.doctor_id = appointment.clinic_id, appointment.doctor_id
    elif doctor is not None:
        record.clinic_id, record.doctor_id = doctor["clinic"]["id"], doctor["id"]
    record.starts_at = booking.event.start if booking is not None else None


def calendly_webhook():
    """POST /webhooks/calendly: verify Calendly's signature, then apply the invitee event once."""
    deps = dependencies()
    settings = deps.settings
    raw_body = request.get_data(cache=True)
    key = settings.calendly_webhook_signing_key
    verify_signature(request.headers.get(SIGNATURE_HEADER), raw_body, key.get_secret_value() if key else None,
                     clock_now().timestamp(), settings.calendly_webhook_tolerance_seconds)
    event, invitee = parse_body(raw_body)
    if invitee is None:
        return jsonify({"outcome": "ignored", "event": event})
    return jsonify({"outcome": handle(deps, event, invitee, request.args.get("clinic")), "event": event})


WEBHOOK_VIEWS = {"/webhooks/calendly": calendly_webhook}
