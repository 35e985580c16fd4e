"""The opt-out register: numbers that replied STOP (or that Twilio refused with 21610) get no texts
until they reply START."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.messaging.models import SmsOptOut
from shared import patient_data

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})


def _entry(db: Session, phone: str, *, lock: bool = False, refresh: bool = False) -> SmsOptOut | None:
    """The number's register entry, found by its blind index (under any index key, during a rotation)."""
    statement = select(SmsOptOut).where(patient_data.matches(SmsOptOut.phone_hash, phone))
    if lock:
        statement = statement.with_for_update()
    return db.scalars(statement.execution_options(populate_existing=refresh)).first()


def is_opted_out(*, db: Session, phone: str) -> bool:
    """True when the number's latest word was an opt-out."""
    entry = _entry(db, phone)
    return entry is not None and entry.opted_out


def record_opt_choice(*, db: Session, phone: str, opted_out: bool, source: str) -> None:
    """Remember a number's opt-out or opt-in (the latest one wins)."""
    entry = _entry(db, phone, lock=True)
    if entry is None:
        try:
            with db.begin_nested():
                db.add(SmsOptOut(phone=phone, opted_out=opted_out, source=source))
            return
        except IntegrityError:  # the same number's other reply won the insert; update it instead
            entry = _entry(db, phone, lock=True, refresh=True)
    # setting the number again keys the entry under the current keys (an entry from before a rotation moves)
    entry.phone, entry.opted_out, entry.source = phone, opted_out, source
