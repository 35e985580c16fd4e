"""Reminders before booked appointments, written as outbox rows of kind "reminder".

The job lives in calendly because calendly owns appointments: it reads them in its own database and
writes the reminder into its own outbox, and messaging only ever sees a notification to text, exactly
as for confirmations. The idempotency key (appointment, "reminder", version) is unique in the outbox,
so repeated runs and concurrent replicas record each reminder once; a moved appointment has a new
version and so a new reminder, and the dispatcher drops reminders of cancelled or moved versions.

Timing is wall-clock in the clinic's timezone ("24 hours before" a 10 AM visit is 10 AM the day
before, also across a DST change), and a reminder falling in the clinic's quiet hours waits until
they end (or, if the visit would come first, goes out just before they start).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.calendly.models import BOOKED, Appointment, NotificationOutbox
from services.calendly.outbox import dispatch_pending, notification_key, record_notification
from services.calendly.service import DoctorDirectory
from shared.db import transaction, utcnow

log = logging.getLogger(__name__)
KIND = "reminder"
LOOKAHEAD = timedelta(days=15)


def wall_clock_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive local time; a time in a spring-forward gap moves past the gap."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """"21:00-08:00" -> (21:00, 08:00)."""
    start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    return start, end


def in_quiet_hours(clock: time, start: time, end: time) -> bool:
    """True when a local clock time falls in [start, end), which may span midnight."""
    if start == end:
        return False
    return start <= clock < end if start < end else (clock >= start or clock < end)


def quiet_hours_end(moment: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """The end of the quiet period `moment` falls in (the moment itself when it is not quiet)."""
    local = moment.astimezone(zone)
    if not in_quiet_hours(local.time(), start, end):
        return moment
    day: date = local.date() + timedelta(days=1) if (start > end and local.time() >= start) else local.date()
    return wall_clock_instant(datetime.combine(day, end), zone)


def quiet_hours_start_before(moment: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """The start of the quiet period `moment` falls in."""
    local = moment.astimezone(zone)
    day: date = local.date() - timedelta(days=1) if (start > end and local.time() < end) else local.date()
    return wall_clock_instant(datetime.combine(day, start), zone) - timedelta(minutes=1)


def reminder_send_time(starts_at: datetime, tz_name: str, hours: float, quiet: tuple[time, time]) -> datetime:
    """When the reminder goes out: `hours` of wall-clock time before the visit, moved out of quiet hours."""
    zone = ZoneInfo(tz_name)
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    due = wall_clock_instant(local_start - timedelta(hours=hours), zone)
    send_at = quiet_hours_end(due, zone, *quiet)
    if send_at >= starts_at:
        send_at = quiet_hours_start_before(due, zone, *quiet)
    return send_at


def clinic_reminder_rules(clinic: dict[str, Any], default_hours: float,
                          default_quiet: str) -> tuple[float, tuple[time, time]]:
    """The clinic's reminder lead time and quiet hours (clinics.options), with the defaults."""
    options = clinic.get("options") or {}
    return (float(options.get("reminder_hours", default_hours)),
            parse_quiet_hours(options.get("quiet_hours", default_quiet)))


def _record_once(db_factory: sessionmaker[Session], appointment_id: int, doctor: dict[str, Any]) -> bool:
    """Write the reminder in its own transaction; False when another run already did."""
    try:
        with transaction(db_factory) as db:
            appointment = db.get(Appointment, appointment_id, with_for_update=True)
            if appointment is None or appointment.status != BOOKED:
                return False
            if db.scalars(select(NotificationOutbox.id).where(
                    NotificationOutbox.idempotency_key == notification_key(appointment, KIND))).first():
                return False
            record_notification(db=db, appointment=appointment, doctor=doctor, kind=KIND)
            db.flush()
    except IntegrityError:
        return False
    return True


def reminder_candidates(*, now: datetime) -> Select:
    """Booked appointments starting within the look-ahead, read from the index of booked rows by start
    time: a pass reads the next LOOKAHEAD of bookings, never the whole table."""
    return (
        select(Appointment.id, Appointment.clinic_id, Appointment.doctor_id, Appointment.starts_at,
               Appointment.version, Appointment.created_at, Appointment.updated_at)
        .where(Appointment.status == BOOKED, Appointment.starts_at > now, Appointment.starts_at <= now + LOOKAHEAD)
    )


def recorded_keys(keys: list[str]) -> Select:
    """Which of these notification keys the outbox already holds (its unique index on the key)."""
    return select(NotificationOutbox.idempotency_key).where(NotificationOutbox.idempotency_key.in_(keys))


def _clinics(doctors: DoctorDirectory, rows: list[Row]) -> dict[int, dict[str, Any]]:
    """The settings of the clinics these appointments belong to, from one doctor of each (every doctor's
    record carries its clinic): a few hundred records decide every reminder time, not one per doctor."""
    one_each = {row.clinic_id: row.doctor_id for row in rows}
    records = doctors.doctors(one_each.values())
    return {clinic_id: records[doctor_id]["clinic"] for clinic_id, doctor_id in one_each.items()
            if doctor_id in records}


def record_due_reminders(*, db_factory: sessionmaker[Session], doctors: DoctorDirectory, now: datetime,
                         default_hours: float = 24.0, default_quiet: str = "21:00-08:00") -> int:
    """Write an outbox reminder for every booked appointment whose reminder time has come; returns how many.

    Knowledge_base is asked in batches: for the clinics' reminder rules, then for the doctors of the
    reminders to write; appointments already reminded are skipped before their doctors are asked for.
    """
    with transaction(db_factory) as db:
        upcoming = db.execute(reminder_candidates(now=now)).all()
    clinics = _clinics(doctors, upcoming)
    rules = {clinic_id: clinic_reminder_rules(clinic, default_hours, default_quiet)
             for clinic_id, clinic in clinics.items()}
    due: dict[str, Row] = {}
    for row in upcoming:
        if row.clinic_id not in clinics:
            log.warning("appointment %s: knowledge_base does not know its clinic; no reminder", row.id)
            continue
        hours, quiet = rules[row.clinic_id]
        send_at = reminder_send_time(row.starts_at, clinics[row.clinic_id]["timezone"], hours, quiet)
        changed_at = row.created_at if row.version == 1 else row.updated_at
        # not yet, or booked/moved after the reminder time: its own text just told the patient
        if send_at <= now and changed_at < send_at:
            due[notification_key(row, KIND)] = row
    if not due:
        return 0
    with transaction(db_factory) as db:
        recorded_before = set(db.scalars(recorded_keys(list(due))))
    waiting = [row for key, row in due.items() if key not in recorded_before]
    records = doctors.doctors({row.doctor_id for row in waiting})
    return sum(_record_once(db_factory, row.id, records[row.doctor_id]) for row in waiting if row.doctor_id in records)


def run_reminders(deps, now: datetime | None = None) -> int:
    """One run of the reminders job: record due reminders, then hand them to messaging."""
    now = now or utcnow()
    settings = deps.settings
    recorded = record_due_reminders(db_factory=deps.db, doctors=deps.doctors, now=now,
                                    default_hours=settings.reminder_hours_default,
                                    default_quiet=settings.quiet_hours_default)
    dispatch_pending(db_factory=deps.db, publisher=deps.publisher, now=now, limit=settings.outbox_batch_size,
                     retry_base_seconds=settings.outbox_retry_base_seconds,
                     retry_cap_seconds=settings.outbox_retry_cap_seconds)
    log.info("reminders recorded: %d", recorded)
    return recorded


def main() -> None:
    """`python -m services.calendly.reminders`: one run (a Kubernetes CronJob in the cluster)."""
    from services.jobs import run_loop, service_dependencies

    deps = service_dependencies("calendly")
    run_loop("services.calendly.reminders", lambda: run_reminders(deps), 60.0, ["--once"])


if __name__ == "__main__":
    main()
