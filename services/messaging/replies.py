"""Patients' replies to our texts: C confirms attendance, X cancels the next appointment (through the
calendly service, which owns appointments), STOP/START are recorded (Twilio answers those itself),
anything else gets a short help text."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from services.messaging.optouts import START_WORDS, STOP_WORDS, record_opt_choice
from services.messaging.service import local_when, normalise_phone
from shared.db import transaction
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)

HELP_TEXT = "Reply C to confirm your next appointment or X to cancel it. To change it, please call us."
NO_APPOINTMENT = "We could not find an upcoming appointment for this number. Please call us to book."
CANNOT_ACT = "Sorry, we could not do that just now. Please call us and we will help."


def _next_appointment(client: ServiceClient, phone: str) -> dict | None:
    upcoming = client.get("calendly", "/calendly/appointments", phone=phone, status="booked", upcoming="true")
    return upcoming[0] if upcoming else None


def _describe(client: ServiceClient, appointment: dict) -> str:
    doctor = client.get("knowledge_base", f"/kb/doctors/{appointment['doctor_id']}")
    when = local_when(datetime.fromisoformat(appointment["start"]), doctor["clinic"]["timezone"])
    return f"your appointment with {doctor['name']} at {doctor['clinic']['name']} on {when}"


def confirm_next(client: ServiceClient, phone: str) -> str:
    """Mark the number's next appointment as confirmed; the reply text."""
    appointment = _next_appointment(client, phone)
    if appointment is None:
        return NO_APPOINTMENT
    client.post("calendly", f"/calendly/appointments/{appointment['id']}/confirm", {},
                idempotency_key=f"sms-confirm:{appointment['id']}:v{appointment['version']}")
    return f"Thank you, {_describe(client, appointment)} is confirmed. See you then."


def cancel_next(client: ServiceClient, phone: str) -> str:
    """Cancel the number's next appointment through calendly; the confirming reply text."""
    appointment = _next_appointment(client, phone)
    if appointment is None:
        return NO_APPOINTMENT
    client.post("calendly", f"/calendly/appointments/{appointment['id']}/cancel",
                {"reason": "patient replied X by SMS", "notify": False},
                idempotency_key=f"sms-cancel:{appointment['id']}:v{appointment['version']}")
    return f"Done: {_describe(client, appointment)} has been cancelled. Call us any time to book again."


def answer_reply(*, db_factory: sessionmaker[Session], client: ServiceClient, sender_number: str, body: str,
                 opt_out_type: str | None = None) -> str | None:
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
    try:
        if word == "C":
            return confirm_next(client, phone)
        if word == "X":
            return cancel_next(client, phone)
    except ServiceCallError as error:
        log.warning("SMS reply %s could not be acted on: %s", word, error.status or error.message)
        return CANNOT_ACT
    return HELP_TEXT


def _record_choice(db_factory: sessionmaker[Session], phone: str, *, opted_out: bool, source: str) -> None:
    with transaction(db_factory) as db:
        record_opt_choice(db=db, phone=phone, opted_out=opted_out, source=source)
    return None
