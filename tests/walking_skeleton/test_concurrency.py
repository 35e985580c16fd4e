"""Thirty callers confirm the same slot at once: exactly one booking, on Postgres and on SQLite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from shared.settings import LOCAL_INTERNAL_TOKEN
from tests.timing import next_weekday_at
from tools.manage import local_demo_database

ATTEMPTS = 30


def race_for_one_slot(app) -> list[int]:
    start = next_weekday_at(11).isoformat()

    def attempt(index: int) -> int:
        response = Client(app).post(
            "/calendly/appointments", headers={"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"},
            json={"doctor_id": 1, "start": start, "call_sid": f"CA{index:032d}",
                  "patient": {"name": f"Patient {index}", "phone": f"+1617555{index:04d}"}},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        return sorted(pool.map(attempt, range(ATTEMPTS)))


def test_thirty_concurrent_bookings_of_one_slot_on_postgres(system, engine):
    statuses = race_for_one_slot(system.app)
    assert statuses.count(201) == 1 and statuses.count(409) == ATTEMPTS - 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM appointments WHERE status = 'booked'")).scalar() == 1


def test_thirty_concurrent_bookings_of_one_slot_on_sqlite(tmp_path):
    url, engine = local_demo_database(tmp_path)
    app = create_all_in_one({"environment": "test", "database_url": url, "local_data_dir": str(tmp_path)},
                            engine=engine)
    statuses = race_for_one_slot(app)
    assert statuses.count(201) == 1 and statuses.count(409) == ATTEMPTS - 1


def test_database_refuses_overlapping_bookings_directly(system, engine):
    """The guarantee is the database's own, not only a check in code."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    start = next_weekday_at(13)
    assert system.internal("POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": start.isoformat(),
        "patient": {"name": "A B", "phone": "+16175550101"}}).status_code == 201
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO appointments (clinic_id, doctor_id, patient_name, patient_phone, starts_at, ends_at, status, "
            "source, version, created_at, updated_at) "
            "VALUES (1, 1, 'C D', '+16175550102', :start + interval '15 minutes', "
            ":start + interval '45 minutes', 'booked', 'phone', 1, now(), now())"), {"start": start})
