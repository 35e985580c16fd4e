"""Patients' replies to our texts: C confirms attendance, X cancels, STOP/START are recorded (Twilio
answers those itself), anything else gets a short help text.

A C or X acts only on the appointment of the text it answers: the last text inviting a reply that we
sent to the number the reply came from (so only that number, and only that clinic's appointment). A
reply is applied once: a webhook delivered again (same MessageSid) gets the same answer and changes
nothing, and a second X finds that appointment already cancelled instead of cancelling another one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.models import OPTED_OUT, SmsMessage, SmsReply
from services.messaging.optouts import START_WORDS, STOP_WORDS, record_opt_choice
from services.messaging.service import local_when, normalise_phone
from shared import patient_data
from shared.db import transaction
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)

HELP_TEXT = "Reply C to confirm your appointment or X to cancel it. To change it, please call us."
NO_TEXT_TO_ANSWER = "We could not find a recent text of ours to answer. Please call us and we will help."
NOT_BOOKED = "That appointment is no longer booked. Please call us if you need a new one."
CANNOT_ACT = "Sorry, we could not do that just now. Please call us and we will help."
# Texts a C or X may answer, and how long after sending them.
REPLYABLE_KINDS = ("booking_confirmation", "reschedule", "reminder")
REPLY_WINDOW = timedelta(days=90)


def answered_text_query(*, phone: str, now: datetime) -> Select:
    """The last text inviting a reply that was sent to this number, if recent (found by its blind index)."""
    return (select(SmsMessage)
            .where(patient_data.matches(SmsMessage.to_hash, phone), SmsMessage.kind.in_(REPLYABLE_KINDS),
                   SmsMessage.appointment_id.is_not(None), SmsMessage.status != OPTED_OUT,
                   SmsMessage.created_at >= now - REPLY_WINDOW)
            .order_by(SmsMessage.id.desc()).limit(1))


def answered_text(*, db: Session, phone: str, now: datetime) -> SmsMessage | None:
    """The last text inviting a reply that was sent to this number, if recent."""
    return db.scalars(answered_text_query(phone=phone, now=now)).first()


def _appointment(client: ServiceClient, text: SmsMessage, phone: str, now: datetime) -> dict | None:
    """The text's appointment, while it is booked and still to come."""
    found = client.post("calendly", "/calendly/appointments/search", {"phone": phone, "clinic_id": text.clinic_id},
                        read_only=True)
    appointment = next((item for item in found if item["id"] == text.appointment_id), None)
    if appointment is None or appointment["status"] != "booked" or datetime.fromisoformat(appointment["start"]) <= now:
        return None
    return appointment


def _describe(client: ServiceClient, appointment: dict) -> str:
    doctor = client.get("knowledge_base", f"/kb/doctors/{appointment['doctor_id']}")
    when = local_when(datetime.fromisoformat(appointment["start"]), doctor["clinic"]["timezone"])
    return f"your appointment with {doctor['name']} at {doctor['clinic']['name']} on {when}"


def _act(client: ServiceClient, word: str, appointment: dict) -> str:
    """Confirm or cancel the appointment; the reply text."""
    if word == "C":
        client.post("calendly", f"/calendly/appointments/{appointment['id']}/confirm", {},
                    idempotency_key=f"sms-confirm:{appointment['id']}:v{appointment['version']}")
        return f"Thank you, {_describe(client, appointment)} is confirmed. See you then."
    client.post("calendly", f"/calendly/appointments/{appointment['id']}/cancel",
                {"reason": "patient replied X by SMS", "notify": False},
                idempotency_key=f"sms-cancel:{appointment['id']}:v{appointment['version']}")
    return f"Done: {_describe(client, appointment)} has been cancelled. Call us any time to book again."


def answer_reply(*, db_factory: sessionmaker[Session], client: ServiceClient, sender_number: str, body: str,
                 message_sid: str, now: datetime, opt_out_type: str | None = None) -> str | None:
    """Act on one inbound text; the reply to send back, or None when Twilio answers itself (STOP/START)."""
    word = body.strip().upper().rstrip(".!")
    try:
        phone = normalise_phone(sender_number)
    except ValueError:
        return HELP_TEXT
    kind = (opt_out_type or "").upper()
    if kind == "STOP" or (not kind and word in STOP_WORDS):
        return _record_choice(db_factory, phone, opted_out=True, source="STOP")
    if kind == "START" or (not kind and word in START_WORDS):
        return _record_choice(db_factory, phone, opted_out=False, source="START")
    if word not in ("C", "X"):
        return HELP_TEXT
    with transaction(db_factory) as db:
        earlier = (db.scalars(select(SmsReply).where(SmsReply.message_sid == message_sid)).first()
                   if message_sid else None)
        if earlier is not None:
            return earlier.reply_text
        text = answered_text(db=db, phone=phone, now=now)
    if text is None:
        return NO_TEXT_TO_ANSWER
    try:
        appointment = _appointment(client, text, phone, now)
        reply = _act(client, word, appointment) if appointment else NOT_BOOKED
    except ServiceCallError as error:
        log.warning("SMS reply %s could not be acted on: %s", word, error.status or error.message)
        return CANNOT_ACT
    return _remember(db_factory, message_sid, text.id, word, reply)


def _remember(db_factory: sessionmaker[Session], message_sid: str, answered_id: int, word: str, reply: str) -> str:
    """Keep the answer under the MessageSid; a concurrent duplicate keeps the first."""
    if not message_sid:
        return reply
    try:
        with transaction(db_factory) as db:
            db.add(SmsReply(message_sid=message_sid, answered_message_id=answered_id, action=word, reply_text=reply))
    except IntegrityError:
        log.info("SMS reply %s was answered concurrently", word)
    return reply


def _record_choice(db_factory: sessionmaker[Session], phone: str, *, opted_out: bool, source: str) -> None:
    with transaction(db_factory) as db:
        record_opt_choice(db=db, phone=phone, opted_out=opted_out, source=source)
    return None
