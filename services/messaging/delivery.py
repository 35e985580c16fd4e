"""Sending queued texts exactly once: claim, send, record; retry transient failures with capped
exponential backoff and jitter; reconcile sends whose result is unknown instead of repeating them;
and merge Twilio's status callbacks, which may repeat or arrive out of order.

The guarantee (docs/messaging.md): a row is claimed (status `sending`, attempt_started_at) in its
own committed transaction before the provider is called, so no other worker can send it. When the
result is lost (a timeout after the request left, or a crash before the result was recorded) the row
stays `sending`/`unknown`, and after `sms_reconcile_after_seconds` (longer than any API call can
last) the provider is asked whether it has that text; only a "no" makes the row sendable again.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.models import (
    DELIVERED,
    FAILED,
    OPTED_OUT,
    PENDING,
    QUEUED,
    SENDING,
    SENT,
    STATUS_RANK,
    UNDELIVERED,
    UNKNOWN,
    SmsMessage,
)
from services.messaging.optouts import is_opted_out, record_opt_choice
from services.messaging.senders import (
    OPTED_OUT_CODE,
    PermanentSendError,
    SendResult,
    SmsSender,
    TransientSendError,
    UnknownSendResult,
)
from shared.db import transaction, utcnow

log = logging.getLogger(__name__)

# Twilio's message states folded onto ours; "sending" at Twilio is still "queued" for us.
TWILIO_STATUSES = {
    "accepted": QUEUED, "scheduled": QUEUED, "queued": QUEUED, "sending": QUEUED, "sent": SENT,
    "delivered": DELIVERED, "read": DELIVERED, "undelivered": UNDELIVERED, "failed": FAILED,
}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a transiently failing text is retried."""

    max_attempts: int = 8
    base_seconds: float = 15.0
    cap_seconds: float = 1800.0
    reconcile_after_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings) -> RetryPolicy:
        """The policy configured in MessagingSettings."""
        return cls(settings.sms_max_attempts, settings.sms_backoff_base_seconds, settings.sms_backoff_cap_seconds,
                   settings.sms_reconcile_after_seconds)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """Capped exponential backoff with jitter: half the step fixed, half random."""
        step = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=step / 2 + (rng or random).uniform(0, step / 2))


def merged_status(current: str, incoming: str) -> str:
    """The later of two states by precedence; the first final state stays final."""
    return incoming if STATUS_RANK.get(incoming, 0) > STATUS_RANK.get(current, 0) else current


def status_callback_url(public_base_url: str | None, message_id: int) -> str | None:
    """Where Twilio reports this message's progress (the row id travels in the URL), or None locally."""
    if not public_base_url:
        return None
    return f"{public_base_url.rstrip('/')}/sms/status?{urlencode({'message_id': message_id})}"


def _claim(db: Session, message: SmsMessage, now: datetime) -> bool:
    if is_opted_out(db=db, phone=message.to_number):
        message.status, message.last_error, message.status_changed_at = OPTED_OUT, "recipient opted out of texts", now
        return False
    message.status, message.attempts, message.attempt_started_at = SENDING, message.attempts + 1, now
    message.status_changed_at = now
    return True


def claim_due(*, db_factory: sessionmaker[Session], now: datetime, limit: int = 20,
              message_id: int | None = None) -> list[SmsMessage]:
    """Claim pending messages that are due (or one given message) so that no other worker sends them."""
    statement = (
        select(SmsMessage)
        .where(SmsMessage.status == PENDING,
               or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now))
        .order_by(SmsMessage.id).limit(limit).with_for_update(skip_locked=True)
    )
    if message_id is not None:
        statement = statement.where(SmsMessage.id == message_id)
    with transaction(db_factory) as db:
        return [message for message in db.scalars(statement).all() if _claim(db, message, now)]


def _record_result(db: Session, message: SmsMessage, result: SendResult, now: datetime) -> None:
    if message.twilio_sid is None:
        message.twilio_sid = result.provider_id
    new_status = TWILIO_STATUSES.get(result.status, QUEUED)
    message.status = merged_status(message.status if message.status not in (SENDING, UNKNOWN) else PENDING, new_status)
    message.sent_at = message.sent_at or now
    message.status_changed_at, message.next_attempt_at = now, None


def send_claimed(*, db_factory: sessionmaker[Session], sender: SmsSender, message: SmsMessage,
                 policy: RetryPolicy, public_base_url: str | None = None, now: datetime | None = None) -> None:
    """Send one claimed message and record what happened (result, retry, final failure or unknown)."""
    try:
        result = sender.send(to=message.to_number, body=message.body, idempotency_key=message.idempotency_key,
                             status_callback=status_callback_url(public_base_url, message.id))
    except PermanentSendError as error:
        _record_failure(db_factory, message.id, error.reason, error.code, retry_at=None)
    except TransientSendError as error:
        final = message.attempts >= policy.max_attempts
        reason = f"gave up after {message.attempts} attempts: {error.reason}" if final else error.reason
        retry_at = None if final else (now or utcnow()) + policy.delay(message.attempts)
        _record_failure(db_factory, message.id, reason, error.code, retry_at=retry_at)
    except Exception as error:  # noqa: BLE001 - an unexpected failure may have sent: reconcile, never resend blindly
        reason = error.reason if isinstance(error, UnknownSendResult) else f"send failed: {type(error).__name__}"
        with transaction(db_factory) as db:
            row = db.get(SmsMessage, message.id, with_for_update=True)
            if row.status == SENDING:
                row.status, row.last_error, row.status_changed_at = UNKNOWN, reason, utcnow()
        log.warning("SMS %s result unknown; it will be reconciled: %s", message.id, reason)
    else:
        with transaction(db_factory) as db:
            _record_result(db, db.get(SmsMessage, message.id, with_for_update=True), result, utcnow())


def _record_failure(db_factory, message_id: int, reason: str, code: int | None, *, retry_at: datetime | None) -> None:
    with transaction(db_factory) as db:
        row = db.get(SmsMessage, message_id, with_for_update=True)
        row.last_error, row.error_code, row.status_changed_at = reason[:500], code, utcnow()
        if retry_at is not None:
            row.status, row.next_attempt_at = PENDING, retry_at
            log.warning("SMS %s not sent, retrying at %s: %s", message_id, retry_at.isoformat(), reason)
            return
        row.status, row.next_attempt_at = FAILED, None
        if code == OPTED_OUT_CODE:
            record_opt_choice(db=db, phone=row.to_number, opted_out=True, source="error_21610")
        log.warning("SMS %s failed for good: %s", message_id, reason)


def reconcile_stale(*, db_factory: sessionmaker[Session], sender: SmsSender, policy: RetryPolicy,
                    now: datetime, limit: int = 20) -> int:
    """Ask the provider about sends whose result was lost; record found ones, release the rest for sending."""
    cutoff = now - timedelta(seconds=policy.reconcile_after_seconds)
    with transaction(db_factory) as db:
        stale = db.scalars(
            select(SmsMessage)
            .where(SmsMessage.status.in_((SENDING, UNKNOWN)), SmsMessage.attempt_started_at <= cutoff)
            .order_by(SmsMessage.id).limit(limit)
        ).all()
    reconciled = 0
    for message in stale:
        try:
            found = sender.find_sent(to=message.to_number, body=message.body, idempotency_key=message.idempotency_key,
                                     since=message.attempt_started_at)
        except TransientSendError as error:
            log.warning("SMS %s could not be reconciled yet: %s", message.id, error.reason)
            continue
        with transaction(db_factory) as db:
            row = db.get(SmsMessage, message.id, with_for_update=True, populate_existing=True)
            # Another worker may have reconciled and re-sent it meanwhile: act only on the state we asked about.
            if row.status != message.status or row.attempt_started_at != message.attempt_started_at:
                continue
            if found is not None:
                _record_result(db, row, found, now)
            else:
                row.status, row.next_attempt_at, row.status_changed_at = PENDING, now, now
                row.last_error = "not found at the provider after an unknown result; sending again"
            reconciled += 1
    return reconciled


def send_due(*, db_factory: sessionmaker[Session], sender: SmsSender, policy: RetryPolicy,
             public_base_url: str | None = None, now: datetime | None = None, limit: int = 20) -> int:
    """One worker pass: reconcile lost results, then claim and send due messages; returns how many were tried."""
    now = now or utcnow()
    reconcile_stale(db_factory=db_factory, sender=sender, policy=policy, now=now, limit=limit)
    claimed = claim_due(db_factory=db_factory, now=now, limit=limit)
    for message in claimed:
        send_claimed(db_factory=db_factory, sender=sender, message=message, policy=policy,
                     public_base_url=public_base_url, now=now)
    return len(claimed)


def send_now(*, db_factory: sessionmaker[Session], sender: SmsSender, policy: RetryPolicy, message_id: int,
             public_base_url: str | None = None) -> None:
    """Send one message at once if it is pending and due (inline mode)."""
    now = utcnow()
    for message in claim_due(db_factory=db_factory, now=now, limit=1, message_id=message_id):
        send_claimed(db_factory=db_factory, sender=sender, message=message, policy=policy,
                     public_base_url=public_base_url, now=now)


def record_status_callback(*, db: Session, message_id: int | None, sid: str, status: str,
                           error_code: int | None) -> SmsMessage | None:
    """Apply one Twilio status callback; repeats and older states change nothing."""
    message = db.get(SmsMessage, message_id, with_for_update=True) if message_id else None
    if message is None or (message.twilio_sid and message.twilio_sid != sid):
        message = db.scalars(select(SmsMessage).where(SmsMessage.twilio_sid == sid).with_for_update()).first()
    if message is None:
        return None
    incoming = TWILIO_STATUSES.get(status)
    if incoming is None:
        return message
    if message.twilio_sid is None:
        message.twilio_sid = sid
    base = PENDING if message.status in (SENDING, UNKNOWN) else message.status
    merged = merged_status(base, incoming)
    if merged != message.status:
        message.status, message.status_changed_at, message.next_attempt_at = merged, utcnow(), None
        if merged in (FAILED, UNDELIVERED) and error_code:
            message.error_code, message.last_error = error_code, f"Twilio error {error_code}"
            if error_code == OPTED_OUT_CODE:
                record_opt_choice(db=db, phone=message.to_number, opted_out=True, source="error_21610")
    return message
