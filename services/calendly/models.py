"""Tables the calendly service owns: appointments (the system of record), its notification outbox, and
the one-time codes that prove a caller is the patient. Patient data is stored encrypted, phone numbers
found by their blind index (shared/patient_data.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.patient_data import Encrypted, EncryptedJSON, EncryptedText, keep_blind_indexes

BOOKED = "booked"
CANCELLED = "cancelled"


class Appointment(Base):
    """One appointment; booked appointments of a doctor never overlap (database constraint)."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # clinics and doctors belong to knowledge_base: the database enforces these keys (migrations), but
    # the ORM must not name tables this service does not load, or a flush fails when it runs alone.
    clinic_id: Mapped[int]
    doctor_id: Mapped[int]
    patient_name: Mapped[str] = mapped_column(Encrypted("appointments.patient_name"))
    patient_phone: Mapped[str] = mapped_column(Encrypted("appointments.patient_phone", "patient_phone_hash"))
    patient_phone_hash: Mapped[str | None] = mapped_column(String(100))
    patient_email: Mapped[str | None] = mapped_column(Encrypted("appointments.patient_email"))
    patient_address: Mapped[str | None] = mapped_column(EncryptedText("appointments.patient_address"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=BOOKED)
    source: Mapped[str] = mapped_column(String(20), default="phone")
    call_sid: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    calendly_invitee_uri: Mapped[str | None] = mapped_column(String(300))
    calendly_event_uri: Mapped[str | None] = mapped_column(String(300))
    cancel_url: Mapped[str | None] = mapped_column(String(300))
    reschedule_url: Mapped[str | None] = mapped_column(String(300))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationOutbox(Base):
    """A notification recorded in the same transaction as the appointment change it announces."""

    __tablename__ = "notification_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    kind: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("notification_outbox.payload"))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CalendlySyncTask(Base):
    """One change to push to Calendly (book or cancel), retried until Calendly accepts it."""

    __tablename__ = "calendly_sync_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after_task_id: Mapped[int | None] = mapped_column(ForeignKey("calendly_sync_tasks.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CalendlyWebhookEvent(Base):
    """A processed Calendly webhook (event + invitee URI), so a redelivery changes nothing twice."""

    __tablename__ = "calendly_webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(400), unique=True)
    event: Mapped[str] = mapped_column(String(50))
    invitee_uri: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(30))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # a conflict (Calendly's booking clashes with ours) waits for staff: where and when, and who resolved it
    clinic_id: Mapped[int | None]
    doctor_id: Mapped[int | None]
    starts_at: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(200))
    handled_note: Mapped[str | None] = mapped_column(Text)


class PhoneVerification(Base):
    """A one-time code texted to the number on a booking, so a caller can prove they are that patient.

    A request for a number without upcoming appointments gets a row too (with no code sent), so the
    answers and the limits are the same whether or not the number has appointments.
    """

    __tablename__ = "phone_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int]
    phone: Mapped[str] = mapped_column(Encrypted("phone_verifications.phone", "phone_hash"))
    phone_hash: Mapped[str | None] = mapped_column(String(100))
    caller: Mapped[str] = mapped_column(Encrypted("phone_verifications.caller", "caller_hash"))
    caller_hash: Mapped[str | None] = mapped_column(String(100))
    call_sid: Mapped[str] = mapped_column(String(64))
    code_salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    tries: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppointmentAudit(Base):
    """One read or change of an appointment through the API: when, who (a service or a staff member),
    what, and why (the call or request it served). Never patient data. Append-only: no code updates
    or deletes a row, and the database refuses to (a trigger on Postgres and SQLite)."""

    __tablename__ = "appointment_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(30))
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(200))
    call_sid: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))


for _model in (Appointment, PhoneVerification):
    keep_blind_indexes(_model)
