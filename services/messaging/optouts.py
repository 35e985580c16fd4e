"""The opt-out register: numbers that replied STOP (or that Twilio refused with 21610) get no texts
until they reply START."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.messaging.models import SmsOptOut

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})


def is_opted_out(*, db: Session, phone: str) -> bool:
    """True when the number's latest word was an opt-out."""
    entry = db.get(SmsOptOut, phone)
    return entry is not None and entry.opted_out


def record_opt_choice(*, db: Session, phone: str, opted_out: bool, source: str) -> None:
    """Remember a number's opt-out or opt-in (the latest one wins)."""
    entry = db.get(SmsOptOut, phone, with_for_update=True)
    if entry is None:
        try:
            with db.begin_nested():
                db.add(SmsOptOut(phone=phone, opted_out=opted_out, source=source))
            return
        except IntegrityError:  # the same number's other reply won the insert; update it instead
            entry = db.get(SmsOptOut, phone, with_for_update=True, populate_existing=True)
    entry.opted_out, entry.source = opted_out, source
