"""Migration 0015 encrypts the patient data already stored (and indexes the numbers) on Postgres and
SQLite alike, and its downgrade gives every value back in plain text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text

from services.calendly import service
from services.calendly.models import Appointment, NotificationOutbox, PhoneVerification
from services.calendly.verification import recent_query
from services.messaging.optouts import is_opted_out
from services.messaging.service import messages_to
from services.twilio_handler.models import Call
from shared import patient_data
from shared.db import UTCDateTime, alembic_config, make_engine, make_session_factory, migrate, transaction
from tests.conftest import CALLER
from tests.privacy.conftest import ADDRESS, EMAIL, NAME, keyring, keys_json

BEFORE = "0014_sms_replies"
AT = datetime(2026, 11, 30, 13, 58, tzinfo=UTC)
PAYLOAD = {"kind": "booking_confirmation", "to": CALLER, "first_name": "Jane", "clinic_name": "Riverside"}
KEYS = dict(data={"m1": 21}, data_id="m1", index={"mi1": 22}, index_id="mi1")
# (table, column) -> the value stored before the migration
PLAIN = {("appointments", "patient_name"): NAME, ("appointments", "patient_phone"): CALLER,
         ("appointments", "patient_email"): EMAIL, ("appointments", "patient_address"): ADDRESS,
         ("phone_verifications", "phone"): CALLER, ("phone_verifications", "caller"): "+16175550199",
         ("sms_messages", "to_number"): CALLER, ("sms_messages", "body"): "Hi Jane, your appointment",
         ("sms_opt_outs", "phone"): CALLER, ("calls", "caller"): CALLER}
ROWS = [
    ("INSERT INTO clinics (id, slug, name, timezone, staff_number, voice, slot_minutes, min_lead_minutes, horizon_days,"
     " options, opening_hours, closures, country, department_synonyms, created_at, updated_at) VALUES (1, 'riverside',"
     " 'Riverside', 'America/New_York', '+16175550100', '{}', 30, 120, 60, '{}', '[]', '[]', 'US', '{}', :at, :at)"),
    ("INSERT INTO doctors (id, clinic_id, name, department, aliases, weekly_hours, exceptions, active, created_at,"
     " updated_at) VALUES (1, 1, 'Dr. Sarah Chen', 'General Practice', '[]', '[]', '[]', true, :at, :at)"),
    ("INSERT INTO appointments (id, clinic_id, doctor_id, patient_name, patient_phone, patient_email, patient_address,"
     " starts_at, ends_at, status, source, version, created_at, updated_at) VALUES (1, 1, 1, :name, :phone, :email,"
     " :address, :starts, :ends, 'booked', 'phone', 1, :at, :at)"),
    ("INSERT INTO notification_outbox (idempotency_key, appointment_id, kind, payload, attempts, created_at,"
     " updated_at) VALUES ('appointment:1:booking_confirmation:v1', 1, 'booking_confirmation', :payload, 0, :at, :at)"),
    ("INSERT INTO phone_verifications (clinic_id, phone, caller, call_sid, code_salt, expires_at, tries, created_at)"
     " VALUES (1, :phone, '+16175550199', 'CA1', 'salt', :starts, 0, :at)"),
    ("INSERT INTO sms_messages (idempotency_key, kind, to_number, body, status, attempts, created_at, updated_at)"
     " VALUES ('appointment:1:booking_confirmation:v1', 'booking_confirmation', :phone, 'Hi Jane, your appointment',"
     " 'delivered', 1, :at, :at)"),
    ("INSERT INTO sms_opt_outs (phone, opted_out, source, created_at, updated_at)"
     " VALUES (:phone, true, 'STOP', :at, :at)"),
    ("INSERT INTO calls (call_sid, clinic_id, caller, started_at, steps, created_at, updated_at)"
     " VALUES ('CA1', 1, :phone, :at, '[]', :at, :at)"),
]


def _plain_rows(url: str) -> None:
    engine = make_engine(url)
    moment = UTCDateTime()
    values = {"name": NAME, "phone": CALLER, "email": EMAIL, "address": ADDRESS, "payload": json.dumps(PAYLOAD)}
    with engine.begin() as connection:
        dialect = connection.dialect
        for name, when in (("at", AT), ("starts", AT + timedelta(days=2)),
                           ("ends", AT + timedelta(days=2, minutes=30))):
            values[name] = moment.process_bind_param(when, dialect)
        for statement in ROWS:
            connection.execute(text(statement), values)
    engine.dispose()


def _stored(url: str) -> dict[tuple[str, str], str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = {(table, name): connection.execute(text(f"SELECT {name} FROM {table}")).scalar_one()
                 for table, name in PLAIN}
        found[("notification_outbox", "payload")] = connection.execute(
            text("SELECT payload FROM notification_outbox")).scalar_one()
    engine.dispose()
    return found


def _read_through_the_services(url: str) -> None:
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as db:
        [appointment] = service.appointments_for_phone(db=db, phone=CALLER)
        assert (appointment.patient_name, appointment.patient_email,
                appointment.patient_address) == (NAME, EMAIL, ADDRESS)
        assert db.get(NotificationOutbox, 1).payload == PAYLOAD
        assert db.scalar(recent_query(PhoneVerification.phone_hash, CALLER, AT - timedelta(hours=1))) == 1
        assert db.scalar(recent_query(PhoneVerification.caller_hash, "+16175550199", AT - timedelta(hours=1))) == 1
        assert [message.body for message in messages_to(db=db, to=CALLER)] == ["Hi Jane, your appointment"]
        assert is_opted_out(db=db, phone=CALLER)
        assert db.get(Call, "CA1").caller == CALLER and db.get(Appointment, 1).patient_phone == CALLER
    engine.dispose()


def _phone_index_columns(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        [index] = [item for item in inspect(engine).get_indexes("appointments")
                   if item["name"] == "ix_appointments_phone_start"]
        return index["column_names"]
    finally:
        engine.dispose()


def _encrypt_and_back(url: str, monkeypatch) -> None:
    monkeypatch.setenv("PATIENT_DATA_KEYS", keys_json(KEYS["data"]))
    monkeypatch.setenv("PATIENT_INDEX_KEYS", keys_json(KEYS["index"]))
    patient_data.activate(keyring(**KEYS))
    migrate(url, BEFORE)
    _plain_rows(url)
    before = _stored(url)
    migrate(url)
    encrypted = _stored(url)
    assert all(value.startswith("pd1:m1:") for value in encrypted.values()), encrypted
    assert not any(plain in str(encrypted) for plain in (NAME, "Jane", "Main Street", EMAIL, "5550123", "5550199"))
    assert _phone_index_columns(url) == ["patient_phone_hash", "starts_at"]
    _read_through_the_services(url)

    command.downgrade(alembic_config(url), BEFORE)
    after = _stored(url)
    payload = after.pop(("notification_outbox", "payload"))
    assert (json.loads(payload) if isinstance(payload, str) else payload) == PAYLOAD  # JSON again
    assert after == {key: value for key, value in before.items() if key[1] != "payload"}
    assert _phone_index_columns(url) == ["patient_phone", "starts_at"]
    migrate(url)  # and up once more
    _read_through_the_services(url)


def test_migration_encrypts_existing_rows_and_its_downgrade_decrypts_them_on_sqlite(tmp_path, monkeypatch,
                                                                                   process_keyring):
    _encrypt_and_back(f"sqlite:///{tmp_path}/encrypt.db", monkeypatch)


def test_migration_encrypts_existing_rows_and_its_downgrade_decrypts_them_on_postgres(scratch_postgres_url,
                                                                                     monkeypatch, process_keyring):
    _encrypt_and_back(scratch_postgres_url, monkeypatch)
