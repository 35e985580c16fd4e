"""The appointment audit log: who read or changed which appointment, when, and for which call or request.

Entries are written in the same transaction as what they record (a change is never without its
entry, a failed request leaves none) and carry no patient data: ids, an action, the actor's name and
the CallSid or request id. The actor is the staff member the staff console names (`X-Staff-User`),
else the service that asked (`X-Service-Name`, sent by every ServiceClient); both come from holders
of a token, so the log is as honest as they are. No code updates or deletes an entry, and the
database refuses to (migration 0016).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calendly.models import AppointmentAudit
from shared.api import staff_user
from shared.service_client import SERVICE_HEADER

READ, BOOK, CANCEL, MOVE, CONFIRM, CODE_TEXTED = "read", "book", "cancel", "move", "confirm", "code_texted"
LINK = "link"  # Calendly's webhook tied our booking to its invitee
STAFF, SERVICE, WEBHOOK = "staff", "service", "webhook"
_SERVICE_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
MAX_LISTED = 1000


@dataclass(frozen=True)
class Actor:
    """Who acts, and the call or request that made them."""

    kind: str
    name: str
    call_sid: str | None
    request_id: str | None


def requester() -> Actor:
    """The actor of the current request: the staff member, else the calling service."""
    reason = (g.get("call_sid") or None, g.get("request_id") or None)
    staff = staff_user()
    if staff:
        return Actor(STAFF, staff, *_clipped(reason))
    service = request.headers.get(SERVICE_HEADER, "").strip().lower()
    return Actor(SERVICE, service if _SERVICE_NAME.match(service) else "unknown", *_clipped(reason))


def webhook_actor(vendor: str) -> Actor:
    """A vendor's webhook as the actor (its request id is the reason)."""
    return Actor(WEBHOOK, vendor, None, *_clipped((g.get("request_id"),)))


def _clipped(values: tuple[str | None, ...]) -> tuple[str | None, ...]:
    return tuple(value[:64] if value else None for value in values)


def record(*, db: Session, appointment_ids: Iterable[int], action: str, actor: Actor, at: datetime) -> None:
    """Add one entry per appointment to the caller's open transaction."""
    db.add_all(AppointmentAudit(appointment_id=appointment_id, at=at, action=action, actor_kind=actor.kind,
                                actor=actor.name, call_sid=actor.call_sid, request_id=actor.request_id)
               for appointment_id in appointment_ids)


def entries(*, db: Session, appointment_id: int, after_id: int = 0) -> list[AppointmentAudit]:
    """An appointment's entries, oldest first, from `after_id` (at most MAX_LISTED)."""
    return list(db.scalars(select(AppointmentAudit)
                           .where(AppointmentAudit.appointment_id == appointment_id, AppointmentAudit.id > after_id)
                           .order_by(AppointmentAudit.id).limit(MAX_LISTED)))


def entry_json(entry: AppointmentAudit) -> dict[str, Any]:
    """An entry as the internal API lists it."""
    return {"id": entry.id, "appointment_id": entry.appointment_id, "at": entry.at.isoformat(), "action": entry.action,
            "actor_kind": entry.actor_kind, "actor": entry.actor, "call_sid": entry.call_sid,
            "request_id": entry.request_id}
