"""Fixtures for the patient-data tests: the calls' fixed clock, keyrings made here (the process's own is
put back after each test), what the database holds as raw text, and requests made as a named service
or staff member."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from shared import patient_data
from shared.settings import LOCAL_INTERNAL_TOKEN, LOCAL_TWILIO_AUTH_TOKEN
from tests.calls.conftest import clock  # noqa: F401 - a fixture, used by name

WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"
NAME, ADDRESS, EMAIL = "Jane Doe", "12 Main Street", "jane.doe@example.com"


def keyring(data: dict[str, int], data_id: str, index: dict[str, int], index_id: str) -> patient_data.Keyring:
    """A keyring of fixed test keys (each key is 32 bytes of one value)."""
    return patient_data.Keyring({key_id: bytes([seed]) * 32 for key_id, seed in data.items()}, data_id,
                                {key_id: bytes([seed]) * 32 for key_id, seed in index.items()}, index_id)


def keys_json(keys: dict[str, int]) -> str:
    """The same keys as PATIENT_DATA_KEYS / PATIENT_INDEX_KEYS spell them."""
    import json

    return json.dumps({key_id: patient_data.encode_key(bytes([seed]) * 32) for key_id, seed in keys.items()})


@pytest.fixture
def process_keyring():
    """The process's keyring, activated again after the test (which may activate others)."""
    before = patient_data.active()
    yield before
    patient_data.activate(before)


def stored_text(engine) -> str:
    """Every row of every table of ours, as the database returns it (raw, as an intruder would read it)."""
    with engine.connect() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        return "\n".join(str(tuple(row)) for table in tables
                         for row in connection.execute(text(f'SELECT * FROM "{table}"')))


def raw_rows(engine, sql: str, **params: Any) -> list:
    """Rows of a raw query."""
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def as_caller(system, method: str, path: str, *, service: str | None = None, staff: str | None = None,
              call_sid: str | None = None, **kwargs: Any):
    """An internal request as a named service (X-Service-Name) or staff member (X-Staff-User), for a call."""
    headers = {"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"}
    for name, value in (("X-Service-Name", service), ("X-Staff-User", staff), ("X-Call-Sid", call_sid)):
        if value:
            headers[name] = value
    return system.http.open(path, method=method, headers=headers, **kwargs)


def text_from(system, number: str, body: str, message_sid: str):
    """An SMS to the clinic, as Twilio's signed webhook delivers it."""
    url = "http://localhost/sms/inbound"
    params = {"From": number, "To": "+16175550100", "Body": body, "MessageSid": message_sid}
    signature = RequestValidator(LOCAL_TWILIO_AUTH_TOKEN).compute_signature(url, params)
    return system.http.post(url, data=params, headers={"X-Twilio-Signature": signature})
