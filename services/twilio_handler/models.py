"""The tables twilio_handler owns: one row per call, with its outcome, and who opened its caller's number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.patient_data import Encrypted

OUTCOMES = ("booked", "cancelled", "rescheduled", "enquiry_only", "no_slots", "callback_requested",
            "transferred", "hung_up")


class Call(Base):
    """A phone call: who, which clinic, when, what happened."""

    __tablename__ = "calls"

    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The clinics table belongs to knowledge_base: the database enforces the key (see the migration),
    # the ORM does not name it, so this service can run without knowledge_base's models loaded.
    clinic_id: Mapped[int | None]
    caller: Mapped[str | None] = mapped_column(Encrypted("calls.caller"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    twilio_status: Mapped[str | None] = mapped_column(String(20))
    steps: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    outcome_reason: Mapped[str | None] = mapped_column(String(200))
    # the number the caller asked to be called back on when it is not the one they called from
    callback_number: Mapped[str | None] = mapped_column(Encrypted("calls.callback_number"))
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(200))  # the staff console's opaque staff id
    handled_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallAccess(Base):
    """Who opened a caller's number or closed their callback, and when (append-only)."""

    __tablename__ = "call_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(ForeignKey("calls.call_sid"))
    staff: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
