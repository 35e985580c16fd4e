"""Starting a call (session and call row) and closing it with its outcome."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.twilio_handler.models import Call
from shared import metrics
from shared.call_session import CallSession, ClinicInfo
from shared.db import transaction
from shared.sessions import CallSessionStore

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def start_call(
    *, db_factory: sessionmaker[Session], sessions: CallSessionStore, call_sid: str, clinic: ClinicInfo,
    caller: str, caller_id_trusted: bool, now: datetime,
) -> CallSession:
    """Create the call's session and row; a repeated /voice for the same call keeps the first."""
    stored = sessions.load(call_sid)
    session = CallSession.load(stored) if stored else CallSession(
        call_sid=call_sid, clinic=clinic, caller=caller, caller_id_trusted=caller_id_trusted)
    if stored is None:
        sessions.save(call_sid, session.dump())
    try:
        with transaction(db_factory) as db:
            db.add(Call(call_sid=call_sid, clinic_id=clinic.id, caller=caller[:20] or None, started_at=now, steps=[],
                        language=session.language))
    except IntegrityError:
        pass  # Twilio retried /voice: the call is already recorded
    return session


def finish_call(
    *, db_factory: sessionmaker[Session], sessions: CallSessionStore, call_sid: str, status: str,
    duration_seconds: int | None, now: datetime,
) -> Call | None:
    """Record how a call ended; safe to repeat and to receive out of order.

    A final status closes the call once: the session's outcome (or `hung_up` when the call ended in the
    middle of a flow), its steps and duration. A later final status changes nothing, and an earlier
    status ('ringing', 'in-progress') arriving after the end never reopens the call.
    """
    with transaction(db_factory) as db:
        call = db.get(Call, call_sid, with_for_update=True)
        if call is None:
            return None
        if call.ended_at is not None:
            return call
        call.twilio_status = status
        if status not in FINAL_STATUSES:
            return call
        stored = sessions.load(call_sid)
        session = CallSession.load(stored) if stored else None
        call.ended_at = now
        elapsed = int((now - call.started_at).total_seconds())
        call.duration_seconds = duration_seconds if duration_seconds is not None else max(elapsed, 0)
        call.outcome = (session.outcome if session else None) or "hung_up"
        call.outcome_reason = session.outcome_reason if session else None
        call.steps = session.steps if session else []
        call.callback_number = session.callback_number if session else None
        metrics.call_ended(clinic_id=call.clinic_id, outcome=call.outcome)
        return call


def day_bounds(first: date, last: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants from the start of `first` to the end of `last`, both local dates in the clinic."""
    zone = ZoneInfo(tz_name)
    return (datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC))


def calls_between(
    *, db: Session, clinic_id: int, start: datetime, end: datetime, limit: int | None = None
) -> list[Call]:
    """A clinic's calls that started in [start, end), oldest first (at most `limit`)."""
    return list(db.scalars(
        select(Call).where(Call.clinic_id == clinic_id, Call.started_at >= start, Call.started_at < end)
        .order_by(Call.started_at).limit(limit)
    ))


def call_json(call: Call, tz_name: str) -> dict[str, Any]:
    """A call as the internal API lists it."""
    return {
        "call_sid": call.call_sid,
        "clinic_id": call.clinic_id,
        "caller": call.caller,
        "started_at": call.started_at.isoformat(),
        "local_date": call.started_at.astimezone(ZoneInfo(tz_name)).date().isoformat(),
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "duration_seconds": call.duration_seconds,
        "outcome": call.outcome,
        "twilio_status": call.twilio_status,
        "steps": call.steps,
        "language": call.language,
        "outcome_reason": call.outcome_reason,
    }


def outcome_summary(calls: list[Call], clinic: dict[str, Any]) -> list[dict[str, Any]]:
    """Outcome counts per local day of the clinic; calls still going are counted as `in_progress`."""
    zone = ZoneInfo(clinic["timezone"])
    by_day: dict[str, Counter[str]] = {}
    for call in calls:
        day = call.started_at.astimezone(zone).date().isoformat()
        by_day.setdefault(day, Counter())[call.outcome or "in_progress"] += 1
    return [
        {"clinic": clinic["slug"], "date": day, "total": sum(counts.values()), "outcomes": dict(sorted(counts.items()))}
        for day, counts in sorted(by_day.items())
    ]
