"""Starting a call (session and call row) and closing it with its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.twilio_handler.models import Call
from shared.db import transaction
from shared.sessions import CallSessionStore

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def new_session(call_sid: str, clinic: dict[str, Any], caller: str) -> dict[str, Any]:
    """The session a call starts with."""
    keep = ("id", "slug", "name", "timezone", "staff_number", "greeting", "options")
    return {"call_sid": call_sid, "clinic": {key: clinic.get(key) for key in keep}, "caller": caller,
            "steps": ["greeting"], "failures": {}, "booking": {}, "outcome": None}


def start_call(
    *, db_factory: sessionmaker[Session], sessions: CallSessionStore, call_sid: str, clinic: dict[str, Any],
    caller: str, now: datetime,
) -> dict[str, Any]:
    """Create the call's session and row; a repeated /voice for the same call keeps the first."""
    session = sessions.load(call_sid)
    if session is None:
        session = new_session(call_sid, clinic, caller)
        sessions.save(call_sid, session)
    try:
        with transaction(db_factory) as db:
            db.add(Call(call_sid=call_sid, clinic_id=clinic["id"], caller=caller or None, started_at=now, steps=[]))
    except IntegrityError:
        pass  # Twilio retried /voice: the call is already recorded
    return session


def finish_call(
    *, db_factory: sessionmaker[Session], sessions: CallSessionStore, call_sid: str, status: str,
    duration_seconds: int | None, now: datetime,
) -> Call | None:
    """Record how a call ended; an outcome already recorded is never overwritten."""
    if status not in FINAL_STATUSES:
        return None
    session = sessions.load(call_sid) or {}
    with transaction(db_factory) as db:
        call = db.get(Call, call_sid, with_for_update=True)
        if call is None:
            return None
        if call.ended_at is None:
            call.ended_at = now
            call.twilio_status = status
            call.duration_seconds = duration_seconds
            call.outcome = session.get("outcome") or "hung_up"
            call.steps = session.get("steps", [])
        return call
