"""Keys rotate: values keep the id of the key they are under, old ones stay readable while new ones use
the new key, `reencrypt` moves every row to the current keys (resumably), and keys come from settings,
KMS-wrapped in production (moto), or generated once for local mode."""

from __future__ import annotations

import json
import os
import stat

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import text

from shared import patient_data
from shared.settings import CommonSettings
from tests.calls.conftest import appointments, doctor_id, texts
from tests.conftest import CALLER
from tests.privacy.conftest import keyring, keys_json, raw_rows
from tests.privacy.test_encryption import book_with_everything
from tools.manage import new_key, reencrypt

OTHER = "+16175550177"
THURSDAY_2PM = "2026-12-03T19:00:00+00:00"
OLD = dict(data={"k1": 1}, data_id="k1", index={"i1": 11}, index_id="i1")
BOTH = dict(data={"k1": 1, "k2": 2}, data_id="k2", index={"i1": 11, "i2": 12}, index_id="i2")
NEW = dict(data={"k2": 2}, data_id="k2", index={"i2": 12}, index_id="i2")


def settings_for(database_url: str, data: dict, data_id: str, index: dict, index_id: str) -> CommonSettings:
    """Settings naming these keys, as PATIENT_DATA_KEYS and friends would."""
    return CommonSettings(database_url=database_url, patient_data_keys=keys_json(data), patient_data_key_id=data_id,
                          patient_index_keys=keys_json(index), patient_index_key_id=index_id)


def key_ids(engine) -> dict[str, set[str]]:
    """The key id of every stored value and index, per column."""
    columns = {"appointments": ("patient_name", "patient_phone", "patient_phone_hash"),
               "sms_messages": ("to_number", "body", "to_hash"), "notification_outbox": ("payload",)}
    found: dict[str, set[str]] = {}
    for table, names in columns.items():
        for name in names:
            values = [value for (value,) in raw_rows(engine, f"SELECT {name} FROM {table}")]
            found[f"{table}.{name}"] = {value.split(":")[0 if name.endswith("hash") else 1] for value in values}
    return found


def test_old_values_stay_readable_new_ones_use_the_new_key_and_reencrypt_moves_them_all(
        system, engine, database_url, process_keyring):
    patient_data.activate(keyring(**OLD))
    first = book_with_everything(system)
    assert set().union(*key_ids(engine).values()) == {"k1", "i1"}

    patient_data.activate(keyring(**BOTH))  # the new keys are deployed; the old ones are kept for reading
    assert [item["id"] for item in appointments(system)] == [first["id"]]  # found by its old-key index
    system.internal("POST", f"/calendly/appointments/{first['id']}/cancel")
    second = book_with_everything(system)
    assert [item["id"] for item in appointments(system)] == [first["id"], second["id"]]
    mixed = key_ids(engine)
    assert (mixed["appointments.patient_name"] == {"k1", "k2"}
            and mixed["appointments.patient_phone_hash"] == {"i1", "i2"})

    counts = reencrypt(settings_for(database_url, **BOTH), batch_size=1)
    assert counts["appointments"] == 1 and counts["sms_messages"] >= 1
    assert set().union(*key_ids(engine).values()) == {"k2", "i2"}
    assert reencrypt(settings_for(database_url, **BOTH)) == dict.fromkeys(counts, 0)  # nothing left to do

    patient_data.activate(keyring(**NEW))  # the old keys are gone: everything still reads
    assert sorted(item["status"] for item in appointments(system)) == ["booked", "cancelled"]
    assert {item["to"] for item in texts(system)} == {CALLER}


def test_an_interrupted_reencrypt_resumes_where_it_stopped(system, engine, database_url, process_keyring):
    patient_data.activate(keyring(**OLD))
    book_with_everything(system)
    response = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, "Dr. Maria Lopez"), "start": THURSDAY_2PM,
        "patient": {"name": "John Roe", "phone": OTHER}})
    assert response.status_code == 201
    patient_data.activate(keyring(**BOTH))
    [spec] = [spec for spec in patient_data.encrypted_tables(_metadata()) if spec.name == "appointments"]
    batches = []

    def failing_after_one_batch():
        if batches:
            raise ConnectionError("the database went away")
        batches.append(1)
        return engine.begin()

    with pytest.raises(ConnectionError):
        patient_data.rewrite_table(failing_after_one_batch, spec, patient_data.active(), batch_size=1)
    assert sorted(key_ids(engine)["appointments.patient_name"]) == ["k1", "k2"]
    assert patient_data.rewrite_table(engine.begin, spec, patient_data.active(), batch_size=1) == 1
    assert key_ids(engine)["appointments.patient_name"] == {"k2"}


def _metadata():
    from services import all_models

    return all_models()


def test_a_row_written_by_an_older_release_in_plain_text_is_encrypted_by_reencrypt(system, engine, database_url,
                                                                                  process_keyring):
    booked = book_with_everything(system)
    with engine.begin() as connection:  # what a previous release writes while the new one rolls out
        connection.execute(text("UPDATE appointments SET patient_name = 'Jane Doe', patient_phone = :phone, "
                                "patient_phone_hash = NULL"), {"phone": CALLER})
    assert appointments(system) == []  # not found by number until it is indexed
    reencrypt(CommonSettings(database_url=database_url))
    assert [item["id"] for item in appointments(system)] == [booked["id"]]
    [(name,)] = raw_rows(engine, "SELECT patient_name FROM appointments")
    assert name.startswith(patient_data.active().value_prefix)


KMS_KEY = "alias/receptionist-test-patient-data"


@pytest.fixture
def kms():
    """A KMS (moto) with the patient data key."""
    with mock_aws():
        client = boto3.client("kms", region_name="us-east-1")
        key_id = client.create_key(Description="patient data")["KeyMetadata"]["KeyId"]
        client.create_alias(AliasName=KMS_KEY, TargetKeyId=key_id)
        yield client


def wrapped_settings(kms, **extra) -> CommonSettings:
    """Production-like settings: one data key and one index key, made and wrapped by KMS."""
    data = {"2026-11": patient_data.wrap_new_key(kms, KMS_KEY, "2026-11", index=False)}
    index = {"idx1": patient_data.wrap_new_key(kms, KMS_KEY, "idx1", index=True)}
    return CommonSettings(patient_data_keys=json.dumps(data), patient_index_keys=json.dumps(index),
                          patient_data_kms_key_id=KMS_KEY, **extra)


def test_production_keys_are_kms_wrapped_data_keys_unwrapped_once_at_start(kms):
    settings = wrapped_settings(kms, environment="production", database_url="postgresql://db/x",
                                redis_url="redis://r", internal_api_token="i" * 32, admin_api_token="a" * 32,
                                twilio_auth_token="t" * 32, public_base_url="https://receptionist.example.com")
    keyring = patient_data.keyring_from(settings, kms=kms)
    stored = keyring.encrypt(CALLER, "appointments.patient_phone")
    assert stored.startswith("pd1:2026-11:") and keyring.decrypt(stored, "appointments.patient_phone") == CALLER
    assert keyring.blind_index(CALLER).startswith("idx1:")
    assert patient_data.keyring_from(settings, kms=None) is keyring  # cached: KMS is asked once per process

    # a wrapped data key unwraps only as what it was made for: an index key is not a data key
    swapped = json.loads(settings.patient_index_keys.get_secret_value())
    mixed = settings.model_copy(update={"patient_data_keys": settings.patient_index_keys,
                                        "patient_data_key_id": next(iter(swapped))})
    with pytest.raises(Exception, match="InvalidCiphertext"):
        patient_data.keyring_from(mixed, kms=kms)


def test_production_refuses_missing_or_unwrapped_keys(kms):
    production = dict(environment="production", database_url="postgresql://db/x", redis_url="redis://r",
                      internal_api_token="i" * 32, admin_api_token="a" * 32, twilio_auth_token="t" * 32,
                      public_base_url="https://receptionist.example.com")
    with pytest.raises(patient_data.KeyConfigError, match="must be set in production"):
        patient_data.keyring_from(CommonSettings(**production))
    with pytest.raises(patient_data.KeyConfigError, match="wrapped by KMS"):
        patient_data.keyring_from(CommonSettings(**production, patient_data_keys=keys_json({"k1": 1}),
                                                 patient_index_keys=keys_json({"i1": 2})))
    with pytest.raises(patient_data.KeyConfigError, match="PATIENT_DATA_KEY_ID"):
        patient_data.keyring_from(CommonSettings(patient_data_keys=keys_json({"k1": 1, "k2": 2}),
                                                 patient_index_keys=keys_json({"i1": 2})))


def test_new_key_prints_a_member_for_the_settings_wrapped_by_kms_when_named(kms, monkeypatch):
    plain = json.loads(new_key(CommonSettings(), "2027-01", index=False))
    assert len(patient_data._decode_key(plain["2027-01"], "key")) == 32
    monkeypatch.setattr(boto3, "client", lambda *args, **kwargs: kms)
    wrapped = json.loads(new_key(CommonSettings(), "idx2", index=True, kms_key_id=KMS_KEY))
    settings = CommonSettings(patient_data_keys=json.dumps(plain), patient_index_keys=json.dumps(wrapped),
                              patient_data_kms_key_id=KMS_KEY)
    with pytest.raises(Exception, match="InvalidCiphertext"):  # with KMS named, every key must be wrapped
        patient_data.keyring_from(settings, kms=kms)


def test_local_mode_generates_its_keys_once_readable_by_its_user_only(tmp_path):
    first = patient_data.local_keyring(tmp_path)
    path = tmp_path / patient_data.LOCAL_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored = first.encrypt("Jane Doe", "appointments.patient_name")
    again = patient_data.keyring_from(CommonSettings(local_data_dir=tmp_path))
    assert again.decrypt(stored, "appointments.patient_name") == "Jane Doe"
    assert patient_data.local_keyring(tmp_path / "other").blind_index(CALLER) != first.blind_index(CALLER)
