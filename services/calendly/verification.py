"""One-time codes that prove a caller is the patient: texted to the number on the booking (only when that
number has upcoming appointments at the clinic, though the answer is the same either way), six digits,
valid for minutes, a few tries, rate-limited per number and per caller, checked only by the call that
asked for them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.calendly.models import PhoneVerification
from services.calendly.service import E164
from shared import patient_data
from shared.api import ApiError

CODE_DIGITS = 6


class VerificationRequest(BaseModel):
    """POST /calendly/verifications: `appointments` texts a code only to a number with upcoming
    appointments at the clinic (to reveal or change them); `booking` to any number (to text a new
    booking's confirmation to a number the caller typed)."""

    clinic_id: int = Field(ge=1, le=2**31 - 1)
    clinic_name: str = Field(min_length=1, max_length=200)
    purpose: Literal["appointments", "booking"] = "appointments"
    phone: str = Field(pattern=E164)
    caller: str = Field(max_length=40)
    call_sid: str = Field(min_length=1, max_length=64)


class CodeCheck(BaseModel):
    """POST /calendly/verifications/<id>/check."""

    code: str = Field(pattern=r"^\d{1,12}$")
    call_sid: str = Field(min_length=1, max_length=64)


@dataclass(frozen=True)
class Limits:
    """How codes are handed out."""

    valid_minutes: int
    tries: int
    per_phone_per_hour: int
    per_caller_per_hour: int


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def recent_query(index_column, value: str, since: datetime) -> Select:
    """How many verifications a number had (or a caller asked for) since `since`, by its blind index."""
    return (select(func.count()).select_from(PhoneVerification)
            .where(patient_data.matches(index_column, value), PhoneVerification.created_at >= since))


def _recent(db: Session, index_column, value: str, since: datetime) -> int:
    return db.scalar(recent_query(index_column, value, since)) or 0


def start(*, db: Session, request: VerificationRequest, has_appointments: bool, limits: Limits,
          now: datetime) -> tuple[PhoneVerification, str | None]:
    """A new verification and the code to text (None when it is about appointments and the number has
    none here)."""
    hour_ago = now - timedelta(hours=1)
    if _recent(db, PhoneVerification.phone_hash, request.phone, hour_ago) >= limits.per_phone_per_hour:
        raise ApiError(429, "rate_limited", "too many codes for this number; try again later", limit="phone")
    if _recent(db, PhoneVerification.caller_hash, request.caller, hour_ago) >= limits.per_caller_per_hour:
        raise ApiError(429, "rate_limited", "too many codes asked for by this caller; try again later", limit="caller")
    texted = has_appointments or request.purpose == "booking"
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}" if texted else None
    salt = secrets.token_hex(16)
    verification = PhoneVerification(
        clinic_id=request.clinic_id, phone=request.phone, caller=request.caller, call_sid=request.call_sid,
        code_salt=salt, code_hash=_digest(salt, code) if code else None,
        expires_at=now + timedelta(minutes=limits.valid_minutes), created_at=now,
    )
    db.add(verification)
    db.flush()
    return verification, code


# What a check came to, and the error a wrong answer is (raised after the tries are committed).
CHECK_ERRORS = {
    "not_found": (404, "verification_not_found", "no such verification for this call"),
    "already_used": (409, "already_used", "this code was already used"),
    "too_many_tries": (429, "too_many_tries", "too many wrong codes; ask for a new one"),
    "expired": (410, "expired", "the code has expired; ask for a new one"),
    "wrong_code": (422, "wrong_code", "the code does not match"),
}


def check(*, db: Session, verification_id: int, check_request: CodeCheck, limits: Limits,
          now: datetime) -> tuple[PhoneVerification | None, str]:
    """Check a code: ("verified"), or why not (a key of CHECK_ERRORS); a wrong code uses up a try."""
    verification = db.get(PhoneVerification, verification_id, with_for_update=True)
    if verification is None or verification.call_sid != check_request.call_sid:
        return None, "not_found"
    if verification.verified_at is not None:
        return verification, "already_used"
    if verification.tries >= limits.tries:
        return verification, "too_many_tries"
    if now >= verification.expires_at:
        return verification, "expired"
    verification.tries += 1
    expected = verification.code_hash or ""
    if not expected or not hmac.compare_digest(expected, _digest(verification.code_salt, check_request.code)):
        return verification, "wrong_code"
    verification.verified_at = now
    return verification, "verified"
