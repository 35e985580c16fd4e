"""Costs that stay flat as a chain's history grows, checked on a synthetic chain (tools/scale_data.py:
500 clinics, 5,000 doctors, two years of appointments): every hot-path query reads its index and no
whole table, free slots never read a doctor's past, and a reminders pass asks knowledge_base for
clinics and doctors in batches, writing exactly the reminders that are due."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.all_in_one import create_all_in_one
from services.calendly import service
from services.calendly.models import BOOKED, Appointment, NotificationOutbox
from services.calendly.reminders import LOOKAHEAD, clinic_reminder_rules, record_due_reminders, reminder_send_time
from services.messaging.senders import LocalOutboxSender
from tools import scale_data
from tools.query_plans import explain, hot_paths

NOW = datetime(2026, 6, 10, 14, 7, tzinfo=UTC)
SIZE = 20_000


@pytest.fixture
def chain(database) -> scale_data.Chain:
    """The synthetic chain at SIZE appointments, analysed, in the emptied test database."""
    chain = scale_data.Chain.for_now(NOW)
    scale_data.create_chain(database, chain)
    scale_data.add_appointments(database, chain, SIZE)
    return chain


@pytest.fixture
def calendly(chain, engine, settings_overrides):
    """calendly's dependencies in the whole system, on the chain."""
    app = create_all_in_one(settings_overrides, engine=engine, sms_sender=LocalOutboxSender(io.StringIO()))
    return app.apps["calendly"].extensions["receptionist"]


@pytest.fixture
def kb_requests(calendly, monkeypatch) -> list[str]:
    """The paths calendly asks knowledge_base for, in order."""
    asked: list[str] = []
    call = calendly.client.call

    def counting(method, target, path, **kwargs):
        if target == "knowledge_base":
            asked.append(path)
        return call(method, target, path, **kwargs)

    monkeypatch.setattr(calendly.client, "call", counting)
    return asked


def test_every_hot_path_query_reads_its_index_and_no_whole_table(chain, engine):
    index = 4_321
    with Session(engine) as db:
        for path in hot_paths(phone=scale_data.patient_phone(index),
                              clinic_id=scale_data.clinic_of(scale_data.random_doctor(chain, index)),
                              doctor_id=1, appointment_id=index, now=NOW):
            plan = explain(db, path)
            assert path.index in plan.indexes, (path.name, plan.root)
            assert not plan.scans_table, (path.name, plan.root)


def test_the_chains_patients_are_found_by_number_and_read_plain(chain, engine):
    phone = scale_data.patient_phone(4_321)
    with Session(engine) as db:
        found = service.appointments_for_phone(db=db, phone=phone)
        assert len(found) == 3  # each number has three appointments, stored encrypted with their blind index
        assert {(item.patient_phone, item.patient_name) for item in found} == {(phone, "Chain Patient")}


def test_free_slots_read_only_the_window_not_the_doctors_past(chain, engine):
    start, end = NOW + timedelta(hours=2), NOW + timedelta(days=scale_data.HORIZON_DAYS)
    [path] = [path for path in hot_paths(phone="+12122000000", clinic_id=1, doctor_id=1, appointment_id=1, now=NOW)
              if path.name.startswith("free slots")]
    with Session(engine) as db:
        booked = db.scalar(select(func.count()).where(Appointment.doctor_id == 1, Appointment.status == BOOKED))
        in_window = db.scalar(select(func.count()).where(Appointment.doctor_id == 1, Appointment.status == BOOKED,
                                                         Appointment.ends_at > start))
        [scan] = [node for node in explain(db, path, analyze=True).nodes() if "Scan" in node["Node Type"]]
        db.rollback()
    assert in_window < booked  # the fully booked doctor has a past to skip
    assert scan["Index Name"] == "ix_appointments_booked_doctor_end"
    assert scan["Actual Rows"] + scan.get("Rows Removed by Filter", 0) == in_window
    with Session(engine) as db:
        doctor = {"id": 1, "weekly_hours": scale_data.WEEKDAY_HOURS, "exceptions": [],
                  "clinic": {"timezone": scale_data.TIMEZONES[1], "slot_minutes": 30, "min_lead_minutes": 120,
                             "horizon_days": scale_data.HORIZON_DAYS}}
        assert service.find_free_slots(db=db, doctor=doctor, start=start, end=end, now=NOW) == []
        assert service.find_free_slots(db=db, doctor=doctor, start=NOW - timedelta(days=300),
                                       end=NOW - timedelta(days=200), now=NOW) == []


def _due_the_plain_way(calendly, db_factory) -> set[int]:
    """The reminders due at NOW, each appointment's doctor asked for on its own (the reference)."""
    with db_factory() as db:
        rows = db.scalars(select(Appointment).where(Appointment.status == BOOKED, Appointment.starts_at > NOW,
                                                    Appointment.starts_at <= NOW + LOOKAHEAD)).all()
    due = set()
    for row in rows:
        clinic = calendly.doctors.doctor(row.doctor_id)["clinic"]
        hours, quiet = clinic_reminder_rules(clinic, 24.0, "21:00-08:00")
        send_at = reminder_send_time(row.starts_at, clinic["timezone"], hours, quiet)
        if send_at <= NOW and row.created_at < send_at:
            due.add(row.id)
    return due


def test_a_reminders_pass_asks_for_clinics_and_doctors_in_batches(chain, calendly, kb_requests, db_factory,
                                                                     monkeypatch):
    monkeypatch.setattr(service, "MAX_DOCTOR_IDS", 100)
    recorded = record_due_reminders(db_factory=db_factory, doctors=calendly.doctors, now=NOW)
    with db_factory() as db:
        reminded = set(db.scalars(select(NotificationOutbox.appointment_id)
                                  .where(NotificationOutbox.kind == "reminder")))
    assert recorded == len(reminded) > 50
    # besides at most one freshness check of the schedule versions (shared/freshness.py), only batches
    lookups = [path for path in kb_requests if path != "/kb/schedule-versions"]
    assert len(kb_requests) - len(lookups) <= 1
    assert all(path.startswith("/kb/doctors?ids=") and path.count(",") < 100 for path in lookups)
    with db_factory() as db:
        clinics = db.scalar(select(func.count(func.distinct(Appointment.clinic_id))).where(
            Appointment.status == BOOKED, Appointment.starts_at > NOW, Appointment.starts_at <= NOW + LOOKAHEAD))
    assert len(lookups) <= math.ceil(clinics / 100) + math.ceil(recorded / 100)

    kb_requests.clear()
    calendly.doctors.cache.clear()
    assert record_due_reminders(db_factory=db_factory, doctors=calendly.doctors, now=NOW) == 0
    lookups = [path for path in kb_requests if path != "/kb/schedule-versions"]
    assert len(lookups) == math.ceil(clinics / 100)  # the clinics' rules; no doctor of a sent reminder
    assert reminded == _due_the_plain_way(calendly, db_factory)
