"""Queueing texts exactly once under their idempotency key, and composing texts that carry only what
is needed: first name, clinic, doctor, local date and time, and how to cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.models import OPTED_OUT, PENDING, SmsMessage
from services.messaging.optouts import is_opted_out
from shared import patient_data
from shared.api import ApiError, OffsetDatetime
from shared.db import transaction, utcnow
from shared.spoken_time import spoken_clock, spoken_date

KINDS = ("booking_confirmation", "cancellation", "reschedule", "reminder", "scheduling_link", "verification_code")
# Texts about an appointment need its facts; a one-time code needs only the code (and never names one).
APPOINTMENT_FIELDS = ("first_name", "doctor_name", "starts_at", "timezone")
DEFAULT_REGION = "US"
HOW_TO_CANCEL = "Reply X to cancel or call us to change it."


def normalise_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """A valid phone number in E.164; raises ValueError for anything phonenumbers rejects."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class SmsRequest(BaseModel):
    """POST /messaging/sms: a notification to text, with the facts the text needs."""

    idempotency_key: str = Field(min_length=8, max_length=200)
    kind: str
    to: str = Field(min_length=3, max_length=32)
    clinic_id: int | None = None
    appointment_id: int | None = None
    first_name: str | None = Field(None, min_length=1, max_length=100)
    clinic_name: str = Field(min_length=1, max_length=200)
    clinic_phone: str | None = Field(None, max_length=32)
    doctor_name: str | None = Field(None, min_length=1, max_length=200)
    starts_at: OffsetDatetime | None = None
    timezone: str | None = None
    link: str | None = Field(None, max_length=500, pattern=r"^https://")
    code: str | None = Field(None, pattern=r"^\d{6}$")
    valid_minutes: int = Field(10, ge=1, le=60)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> SmsRequest:
        if self.kind == "verification_code":
            if self.code is None:
                raise ValueError("a verification_code text needs its code")
        elif missing := [name for name in APPOINTMENT_FIELDS if getattr(self, name) is None]:
            raise ValueError(f"a {self.kind} text needs {', '.join(missing)}")
        return self

    @field_validator("to")
    @classmethod
    def _valid_phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"must be one of {', '.join(KINDS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            raise ValueError("is not an IANA timezone") from None
        return value


def local_when(starts_at: datetime, tz_name: str) -> str:
    """Date and time in the clinic's timezone, spelled out (texts are read later, so no "tomorrow")."""
    local = starts_at.astimezone(ZoneInfo(tz_name))
    return f"{spoken_date(local)} at {spoken_clock(local)}"


def compose_text(request: SmsRequest) -> str:
    """The text for a notification: first name, clinic, doctor, local date and time, how to cancel; a
    one-time code says only the clinic and the code."""
    if request.kind == "verification_code":
        return (f"{request.clinic_name}: your code is {request.code}. It expires in {request.valid_minutes} minutes. "
                "If you did not ask for it, you can ignore this text.")
    if request.starts_at is None or request.timezone is None:
        raise ApiError(422, "missing_fields", f"a {request.kind} text needs starts_at and timezone")
    when = local_when(request.starts_at, request.timezone)
    greeting = f"Hi {request.first_name}, your appointment with {request.doctor_name} at {request.clinic_name}"
    if request.kind == "booking_confirmation":
        return f"{greeting} is confirmed for {when}. {HOW_TO_CANCEL}"
    if request.kind == "cancellation":
        return f"{greeting} for {when} has been cancelled. Call us any time to book again.{_not_you(request)}"
    if request.kind == "reschedule":
        return f"{greeting} has been moved to {when}. {HOW_TO_CANCEL}{_not_you(request)}"
    if request.kind == "reminder":
        return f"Reminder: {greeting} is on {when}. Reply C to confirm you will come, X to cancel."
    if request.kind == "scheduling_link" and request.link:
        return (f"Hi {request.first_name}, your request for {when} with {request.doctor_name} at "
                f"{request.clinic_name} is noted. Please confirm it in the clinic's calendar: {request.link}")
    raise ApiError(422, "unknown_kind", f"unknown SMS kind {request.kind!r}; expected one of {', '.join(KINDS)}")


def _not_you(request: SmsRequest) -> str:
    """A cancellation or a move the patient did not ask for must be easy to report."""
    return f" If you did not ask for this, call {request.clinic_phone}." if request.clinic_phone else ""


def sms_json(message: SmsMessage) -> dict[str, Any]:
    """A message as the internal API returns it."""
    return {
        "id": message.id,
        "kind": message.kind,
        "to": message.to_number,
        "body": message.body,
        "status": message.status,
        "attempts": message.attempts,
        "error_code": message.error_code,
        "last_error": message.last_error,
        "appointment_id": message.appointment_id,
        "created_at": message.created_at.isoformat(),
    }


def clinic_messages(*, db: Session, clinic_id: int, limit: int) -> list[SmsMessage]:
    """A clinic's latest texts, newest first."""
    return list(db.scalars(select(SmsMessage).where(SmsMessage.clinic_id == clinic_id)
                           .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()).limit(limit)))


def staff_sms_json(message: SmsMessage) -> dict[str, Any]:
    """A text for the staff console: its number's last two digits only, no body."""
    return {"id": message.id, "kind": message.kind, "to_last2": (message.to_number or "")[-2:] or None,
            "status": message.status, "attempts": message.attempts, "error_code": message.error_code,
            "appointment_id": message.appointment_id, "created_at": message.created_at.isoformat(),
            "handled_at": message.handled_at.isoformat() if message.handled_at else None,
            "handled_by": message.handled_by, "handled_note": message.handled_note}


def close_failure(*, db: Session, message_id: int, clinic_id: int, staff: str, note: str, now: datetime) -> SmsMessage:
    """Mark a clinic's text followed up by staff (a repeat keeps the first); 404 for another clinic's or none."""
    message = db.get(SmsMessage, message_id, with_for_update=True)
    if message is None or message.clinic_id != clinic_id:
        raise ApiError(404, "message_not_found", "no such text for this clinic")
    if message.handled_at is None:
        message.handled_at, message.handled_by, message.handled_note = now, staff, note
    return message


def _by_key(db: Session, key: str) -> SmsMessage | None:
    return db.scalars(select(SmsMessage).where(SmsMessage.idempotency_key == key)).first()


def queue_sms(*, db_factory: sessionmaker[Session], request: SmsRequest) -> tuple[SmsMessage, bool]:
    """Record a message under its idempotency key; returns (message, newly_queued).

    A number that opted out gets a row in status opted_out (so the key stays used) and no text.
    """
    body = compose_text(request)
    with transaction(db_factory) as db:
        existing = _by_key(db, request.idempotency_key)
        if existing is not None:
            return existing, False
        opted_out = is_opted_out(db=db, phone=request.to)
        message = SmsMessage(
            idempotency_key=request.idempotency_key, kind=request.kind, clinic_id=request.clinic_id,
            appointment_id=request.appointment_id, to_number=request.to, body=body,
            status=OPTED_OUT if opted_out else PENDING, status_changed_at=utcnow(),
            last_error="recipient opted out of texts" if opted_out else None,
        )
        try:
            with db.begin_nested():
                db.add(message)
                db.flush()
        except IntegrityError:
            # Either the same key was stored meanwhile (a concurrent retry), or a reference is wrong.
            stored = _by_key(db, request.idempotency_key)
            if stored is None:
                raise ApiError(422, "unknown_reference", "clinic_id does not name a clinic") from None
            return stored, False
        return message, True


class SmsSearch(BaseModel):
    """POST /messaging/sms/search: the texts to a number (the number travels in the body, never in a URL)."""

    to: str = Field(min_length=3, max_length=32)

    @field_validator("to")
    @classmethod
    def _as_stored(cls, value: str) -> str:
        """Numbers are stored in E.164; one that is not a valid number has no texts (and finds none)."""
        try:
            return normalise_phone(value)
        except ValueError:
            return value


def messages_to(*, db: Session, to: str) -> list[SmsMessage]:
    """Every message to a number, oldest first (found by the number's blind index)."""
    return list(db.scalars(select(SmsMessage).where(patient_data.matches(SmsMessage.to_hash, to))
                           .order_by(SmsMessage.id)))
