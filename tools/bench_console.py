"""Benchmark of the staff console's Today page (SQLite, every service in one process, as `make run`):
load time of Today for a clinic day with 200 appointments across 13 doctors (and with none, for
comparison), signed in as a staff member, measured at the WSGI boundary."""

from __future__ import annotations

import io
import logging
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.messaging.senders import LocalOutboxSender
from services.staff_console.accounts import create_account
from shared.clock import FakeClock
from shared.db import make_session_factory, transaction
from tools.manage import local_demo_database

APPOINTMENTS = 200
DOCTORS = 13  # 16 half-hour slots from 9 to 5 each: 208 places for 200 appointments
REQUESTS = 30
DAY = "2026-12-07"  # a Monday
MORNING = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # 07:00 in Boston, before the first slot
PASSWORD = "bench password 1"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _fill_day(db_factory) -> None:
    from services.calendly.models import Appointment
    from services.knowledge_base.models import Clinic, Doctor

    with transaction(db_factory) as db:
        clinic = db.scalars(select(Clinic).where(Clinic.slug == "riverside")).one()
        model = db.scalars(select(Doctor).where(Doctor.clinic_id == clinic.id)).first()
        doctors = list(db.scalars(select(Doctor).where(Doctor.clinic_id == clinic.id)))
        for number in range(len(doctors), DOCTORS):
            doctor = Doctor(clinic_id=clinic.id, name=f"Dr. Bench {number}", department="General Practice",
                            weekly_hours=model.weekly_hours, exceptions=[])
            db.add(doctor)
            doctors.append(doctor)
        db.flush()
        first = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 09:00 in Boston
        for index in range(APPOINTMENTS):
            start = first + timedelta(minutes=30 * (index // DOCTORS))
            db.add(Appointment(clinic_id=clinic.id, doctor_id=doctors[index % DOCTORS].id,
                               patient_name=f"Patient {index}", patient_phone=f"+1617555{index:04d}",
                               starts_at=start, ends_at=start + timedelta(minutes=30), status="booked",
                               source="phone"))


def _timed(client: Client, path: str) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, base_url="https://localhost")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        size = len(response.get_data())
    return times, size


def main() -> None:
    """Measure Today with 200 appointments and with none, and print the figures."""
    logging.disable(logging.WARNING)
    print(f"machine: {platform.platform()} | {os.cpu_count()} cpus | Python {platform.python_version()}")
    folder = tempfile.mkdtemp()
    url, engine = local_demo_database(folder)
    db_factory = make_session_factory(engine)
    _fill_day(db_factory)
    with transaction(db_factory) as db:
        create_account(db=db, username="bench@riverside", clinic_slug="riverside", role="staff", password=PASSWORD)
    system = create_all_in_one({"database_url": url, "environment": "test"}, engine=engine,
                               sms_sender=LocalOutboxSender(io.StringIO()), clock=FakeClock(MORNING))
    client = Client(system)
    login = client.get("/staff/login", base_url="https://localhost").get_data(as_text=True)
    csrf = login.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = client.post("/staff/login", base_url="https://localhost",
                            data={"csrf_token": csrf, "username": "bench@riverside", "password": PASSWORD})
    assert signed_in.status_code == 303, signed_in.status_code
    page = client.get(f"/staff/today?day={DAY}", base_url="https://localhost").get_data(as_text=True)
    assert page.count('class="appt status-booked"') == APPOINTMENTS, "every appointment is on the page"
    for label, day in ((f"{APPOINTMENTS} appointments, {DOCTORS} doctors", DAY), ("no appointments", "2026-12-14")):
        times, size = _timed(client, f"/staff/today?day={day}")
        print(f"Today, {label}: median {statistics.median(times) * 1000:.1f} ms, "
              f"p95 {percentile(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
              f"over {REQUESTS} loads; page {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
