"""Retention: a text's body and a patient's reply text are emptied once older than the retention period,
the rows kept with their status and ids (texts still being sent keep theirs); one-time codes' rows are
deleted after theirs. "Now" is given to the purge, as the jobs give it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.calendly import retention as code_retention
from services.calendly.models import PhoneVerification
from services.messaging import retention as text_retention
from services.messaging.models import PENDING, SmsMessage, SmsReply
from shared.db import make_session_factory, transaction
from tests.calls.conftest import book, texts
from tests.conftest import CALLER
from tests.privacy.conftest import WEDNESDAY_10AM, text_from


@pytest.fixture
def settings_overrides(settings_overrides):
    """Shorter periods than the defaults (30 days each), to see the settings used."""
    return {**settings_overrides, "sms_body_retention_days": 7, "verification_retention_days": 2}


def _created(engine, model) -> list:
    with transaction(make_session_factory(engine)) as db:
        return list(db.scalars(select(model.created_at)))


def test_text_bodies_and_replies_are_emptied_after_the_period_keeping_status_and_ids(system, engine):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    assert "Thank you" in text_from(system, CALLER, "C", "SM" + "3" * 32).get_data(as_text=True)
    with transaction(make_session_factory(engine)) as db:  # a text still waiting to be sent
        db.add(SmsMessage(idempotency_key="manual:pending", kind="reminder", to_number=CALLER, body="Reminder",
                          status=PENDING))
    before = {item["id"]: item for item in texts(system)}
    [sent] = [item for item in before.values() if item["kind"] == "booking_confirmation"]
    assert sent["body"] and sent["appointment_id"] == booked["id"]
    oldest = min(_created(engine, SmsMessage) + _created(engine, SmsReply))
    messaging = system.app.apps["messaging"].extensions["receptionist"]

    assert text_retention.run_retention(messaging, oldest + timedelta(days=7) - timedelta(seconds=1)) == 0
    assert text_retention.run_retention(messaging, oldest + timedelta(days=7, seconds=5)) == 2
    after = {item["id"]: item for item in texts(system)}
    assert after.keys() == before.keys()
    assert after[sent["id"]] == {**sent, "body": None}  # status, attempts, ids and times kept
    assert next(item for item in after.values() if item["status"] == PENDING)["body"] == "Reminder"
    with transaction(make_session_factory(engine)) as db:
        [reply] = db.scalars(select(SmsReply)).all()
        assert reply.reply_text is None and reply.action == "C" and reply.answered_message_id == sent["id"]
    assert text_retention.purge_texts(db_factory=messaging.db, now=oldest + timedelta(days=8),
                                      retention=timedelta(days=7)) == {"texts": 0, "replies": 0}


def test_one_time_codes_are_deleted_after_their_period(system, engine):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    started = system.internal("POST", "/calendly/verifications", json={
        "clinic_id": booked["clinic_id"], "clinic_name": "Riverside Family Clinic", "phone": CALLER,
        "caller": "+16175550199", "call_sid": "CA" + "4" * 32})
    assert started.status_code == 201
    [created] = _created(engine, PhoneVerification)
    calendly = system.app.apps["calendly"].extensions["receptionist"]
    assert code_retention.run_retention(calendly, created + timedelta(days=2) - timedelta(seconds=1)) == 0
    assert code_retention.run_retention(calendly, created + timedelta(days=2, seconds=1)) == 1
    assert _created(engine, PhoneVerification) == []
    audit = system.internal("GET", f"/calendly/appointments/{booked['id']}/audit").get_json()["entries"]
    assert [entry["action"] for entry in audit] == ["book", "code_texted"]  # the audit log is never purged
