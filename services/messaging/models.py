"""The tables messaging owns: every SMS, keyed by an idempotency key so none is sent twice, and the
register of numbers that opted out of texts; and the count of texts entering each state, taken where
every state change is written, whichever process (web or worker) wrote it."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.patient_data import Encrypted, EncryptedText, keep_blind_indexes

# Our own states before Twilio has the message, then Twilio's delivery states (see STATUS_RANK).
PENDING, SENDING, UNKNOWN, OPTED_OUT = "pending", "sending", "unknown", "opted_out"
QUEUED, SENT, DELIVERED, UNDELIVERED, FAILED = "queued", "sent", "delivered", "undelivered", "failed"
STATUS_RANK = {PENDING: 0, SENDING: 1, UNKNOWN: 1, QUEUED: 2, SENT: 3,
               DELIVERED: 4, UNDELIVERED: 4, FAILED: 4, OPTED_OUT: 4}


class SmsMessage(Base):
    """One text message and its delivery state."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    clinic_id: Mapped[int | None]  # a key into knowledge_base's clinics, enforced by the database only
    appointment_id: Mapped[int | None]
    to_number: Mapped[str] = mapped_column(Encrypted("sms_messages.to_number", "to_hash"))
    to_hash: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(EncryptedText("sms_messages.body"))  # None once purged (retention)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[int | None]
    next_attempt_at: Mapped[datetime | None]
    attempt_started_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # a failed text followed up by staff (the staff console's callback queue)
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[str | None] = mapped_column(String(200))
    handled_note: Mapped[str | None] = mapped_column(Text)


class SmsOptOut(Base):
    """A number's latest opt-out (STOP, error 21610) or opt-in (START) to texts, keyed by its blind index."""

    __tablename__ = "sms_opt_outs"

    phone_hash: Mapped[str] = mapped_column(String(100), primary_key=True)
    phone: Mapped[str] = mapped_column(Encrypted("sms_opt_outs.phone", "phone_hash"))
    opted_out: Mapped[bool]
    source: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


TEXTS = Counter("receptionist_sms_status_changes_total",
                "Texts entering each delivery state (pending when queued, then sent, delivered, failed...)",
                ["status"])


@event.listens_for(SmsMessage, "after_insert")
@event.listens_for(SmsMessage, "after_update")
def _count_status_change(_mapper, _connection, message: SmsMessage) -> None:
    """Count a text's new state once the row holding it is written (a failed write counts nothing)."""
    added = inspect(message).attrs.status.history.added
    if added:
        TEXTS.labels(added[-1]).inc()


class SmsReply(Base):
    """A patient's C or X reply, applied once: a replayed webhook (same MessageSid) gets the same answer
    and changes nothing again; the reply acts only on the appointment of the text it answers."""

    __tablename__ = "sms_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    answered_message_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(10))
    reply_text: Mapped[str | None] = mapped_column(Text)  # None once purged (retention)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


for _model in (SmsMessage, SmsOptOut):
    keep_blind_indexes(_model)
