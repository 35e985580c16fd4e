"""The calls a human must follow up (callback requests, no free slots, failed transfers): listed with the
caller's number masked, opened one at a time (each opening logged), and marked done with a note."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.twilio_handler.models import Call, CallAccess
from shared.api import ApiError

FOLLOW_UP_OUTCOMES = ("callback_requested", "no_slots")
OPENED, DONE = "opened", "done"


def masked(number: str | None) -> str | None:
    """A phone number with all but its last two digits hidden."""
    if not number:
        return None
    return "•" * max(len(number) - 2, 0) + number[-2:]


def needs_follow_up(call: Call) -> bool:
    """True when a human should call this caller back."""
    return call.outcome in FOLLOW_UP_OUTCOMES or "transfer_failed" in (call.steps or [])


def follow_ups(*, db: Session, clinic_id: int, start: datetime, end: datetime, include_done: bool) -> list[Call]:
    """A clinic's ended calls in [start, end) that need a human, newest first."""
    query = select(Call).where(Call.clinic_id == clinic_id, Call.started_at >= start, Call.started_at < end,
                               Call.ended_at.is_not(None))
    if not include_done:
        query = query.where(Call.handled_at.is_(None))
    calls = db.scalars(query.where(or_(Call.outcome.in_(FOLLOW_UP_OUTCOMES), Call.outcome == "hung_up",
                                       Call.outcome == "transferred")).order_by(Call.started_at.desc()))
    return [call for call in calls if needs_follow_up(call)]


def follow_up_json(call: Call, tz_name: str) -> dict[str, Any]:
    """A follow-up as the queue lists it: the number masked."""
    return {
        "call_sid": call.call_sid,
        "clinic_id": call.clinic_id,
        "started_at": call.started_at.isoformat(),
        "local_date": call.started_at.astimezone(ZoneInfo(tz_name)).date().isoformat(),
        "outcome": call.outcome,
        "reason": "transfer_failed" if "transfer_failed" in (call.steps or []) else call.outcome_reason,
        "number_masked": masked(call.callback_number or call.caller),
        "handled_at": call.handled_at.isoformat() if call.handled_at else None,
        "handled_by": call.handled_by,
        "handled_note": call.handled_note,
    }


def clinic_call(*, db: Session, call_sid: str, clinic_id: int, for_update: bool = False) -> Call:
    """A clinic's call needing follow-up; 404 when unknown, another clinic's, or not a follow-up."""
    call = db.get(Call, call_sid, with_for_update=for_update)
    if call is None or call.clinic_id != clinic_id or not needs_follow_up(call):
        raise ApiError(404, "callback_not_found", "no such callback for this clinic")
    return call


def open_number(*, db: Session, call: Call, staff: str, now: datetime) -> dict[str, Any]:
    """The caller's numbers in full; the opening is logged with who and when."""
    db.add(CallAccess(call_sid=call.call_sid, staff=staff, action=OPENED, at=now))
    return {"call_sid": call.call_sid, "caller": call.caller, "callback_number": call.callback_number or call.caller}


def mark_done(*, db: Session, call: Call, staff: str, note: str, now: datetime) -> None:
    """Close the follow-up with a note (a repeat keeps the first closing)."""
    if call.handled_at is not None:
        return
    call.handled_at, call.handled_by, call.handled_note = now, staff, note
    db.add(CallAccess(call_sid=call.call_sid, staff=staff, action=DONE, at=now))
