"""Shared steps of the Calendly tests: times on Dr. Chen's grid, booking through the internal API,
draining the sync queue, and delivering signed webhooks."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.calendly import sync
from services.calendly.models import Appointment, CalendlySyncTask
from shared.db import transaction, utcnow
from tests.calendly_sync.conftest import SIGNING_KEY
from tests.calendly_sync.fake_calendly import sign
from tests.timing import today_in_new_york

NEW_YORK = ZoneInfo("America/New_York")
CHEN = 1


def next_weekday_at(hour: int, minute: int = 0, weekday: int = 1, weeks: int = 0) -> datetime:
    """The next given weekday (Mon=0) at least two days after the tests' today, at a New York wall-clock time."""
    day = today_in_new_york() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    day += timedelta(weeks=weeks)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK)


def book(system, start: datetime, phone: str = "+16175550123", email: str | None = None, name: str = "Ada Lovelace",
         doctor_id: int = CHEN):
    """Book through the internal API as booking_handler does; returns the response JSON (asserting 201)."""
    patient = {"name": name, "phone": phone}
    if email:
        patient["email"] = email
    response = system.internal("POST", "/calendly/appointments",
                               json={"doctor_id": doctor_id, "start": start.isoformat(), "patient": patient})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deps(system):
    """The calendly service's dependency bundle."""
    return system.app.apps["calendly"].extensions["receptionist"]


def run_sync(system, now: datetime | None = None, limits: sync.BookingLimits | None = None) -> dict[str, int]:
    """One pass of the sync queue; returns its outcome counts."""
    bundle = deps(system)
    limits = limits or sync.BookingLimits.from_settings(bundle.settings)
    return sync.run_once(db_factory=bundle.db, calendly=bundle.calendly, client=bundle.client, limits=limits,
                         now=now or utcnow()).counts


def appointment(db_factory, appointment_id: int) -> Appointment:
    """An appointment row as stored."""
    with transaction(db_factory) as db:
        return db.get(Appointment, appointment_id)


def tasks(db_factory) -> list[CalendlySyncTask]:
    """Every sync task in order."""
    with transaction(db_factory) as db:
        return list(db.scalars(select(CalendlySyncTask).order_by(CalendlySyncTask.id)))


def appointments(db_factory) -> list[Appointment]:
    """Every appointment in order."""
    with transaction(db_factory) as db:
        return list(db.scalars(select(Appointment).order_by(Appointment.id)))


def deliver(system, body: bytes, *, key: str = SIGNING_KEY, timestamp: int | None = None, clinic: str = "riverside",
            header: str | None = None):
    """POST a webhook delivery signed like Calendly signs it (or with the given header)."""
    stamp = timestamp if timestamp is not None else int(system.clock.now().timestamp())
    signature = header if header is not None else sign(body, key, stamp)
    headers = {"Calendly-Webhook-Signature": signature} if signature else {}
    return system.http.post(f"/webhooks/calendly?clinic={clinic}", data=body, headers=headers,
                            content_type="application/json")
