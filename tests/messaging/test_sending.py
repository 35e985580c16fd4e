"""Sending through Twilio exactly once: the request Twilio gets, Twilio down at booking, a worker
killed between send and record, answers lost in flight, permanent errors, backoff, phone numbers."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.calendly.models import NotificationOutbox
from services.calendly.outbox import PublishError, dispatch_pending
from services.messaging.delivery import RetryPolicy, claim_due, send_claimed
from services.messaging.models import SmsMessage
from services.messaging.optouts import is_opted_out
from shared.db import transaction, utcnow
from tests.messaging.conftest import FROM_NUMBER, PATIENT, PUBLIC_BASE, book


def test_booking_texts_through_twilio_with_only_what_is_needed(sms_system, db_factory):
    appointment = book(sms_system, db_factory)
    [request] = sms_system.twilio.create_requests
    assert request["To"] == PATIENT and request["From"] == FROM_NUMBER
    body = request["Body"]
    assert body.startswith("Hi Jane,") and "Doe" not in body
    assert "Dr. Sarah Chen" in body and "Riverside Family Clinic" in body and "10 AM" in body
    assert "Reply X to cancel" in body and "Main Street" not in body
    [text] = sms_system.texts()
    assert request["StatusCallback"] == f"{PUBLIC_BASE}/sms/status?message_id={text['id']}"
    assert text["status"] == "queued" and text["appointment_id"] == appointment["id"]


def test_twilio_down_at_booking_is_delivered_later_exactly_once(sms_system, db_factory):
    sms_system.twilio.script.extend([20503, 20429])
    book(sms_system, db_factory)
    assert sms_system.twilio.messages == []
    [text] = sms_system.texts()
    assert text["status"] == "pending" and "503" in text["last_error"]

    assert sms_system.work() == 0  # the retry is not due yet: backoff
    sms_system.work(utcnow() + timedelta(hours=1))  # 429: still transient
    assert sms_system.twilio.messages == [] and sms_system.texts()[0]["attempts"] == 2
    sms_system.work(utcnow() + timedelta(hours=3))
    for hours in (4, 5, 6):
        sms_system.work(utcnow() + timedelta(hours=hours))
    assert len(sms_system.twilio.bodies_to(PATIENT)) == 1
    assert len(sms_system.twilio.create_requests) == 3
    [text] = sms_system.texts()
    assert text["status"] == "queued" and text["attempts"] == 3


def test_messaging_down_at_booking_is_delivered_later_by_the_dispatcher(sms_system, db_factory):
    calendly = sms_system.calendly
    working = calendly.publisher

    class Down:
        def publish(self, key, payload):
            raise PublishError("messaging unreachable", retryable=True)

    calendly.publisher = Down()
    book(sms_system, db_factory)
    assert sms_system.texts() == []
    with transaction(db_factory) as db:
        entry = db.scalars(select(NotificationOutbox)).one()
        assert entry.delivered_at is None and entry.next_attempt_at is not None
    calendly.publisher = working
    assert dispatch_pending(db_factory=db_factory, publisher=working) == 0  # backoff: not due yet
    later = utcnow() + timedelta(minutes=5)
    assert dispatch_pending(db_factory=db_factory, publisher=working, now=later) == 1
    assert dispatch_pending(db_factory=db_factory, publisher=working, now=later) == 0
    assert len(sms_system.texts()) == 1 and len(sms_system.twilio.messages) == 1


def test_outbox_handed_over_twice_still_texts_once(sms_system, db_factory):
    book(sms_system, db_factory)
    with transaction(db_factory) as db:
        db.scalars(select(NotificationOutbox)).one().delivered_at = None  # as if the dispatcher crashed before commit
    dispatch_pending(db_factory=db_factory, publisher=sms_system.calendly.publisher)
    assert len(sms_system.texts()) == 1 and len(sms_system.twilio.messages) == 1


class WorkerKilled(BaseException):
    """The process dying right after Twilio accepted the message."""


class DiesAfterSending:
    def __init__(self, sender):
        self.sender = sender

    def send(self, **kwargs):
        self.sender.send(**kwargs)
        raise WorkerKilled()

    def find_sent(self, **kwargs):
        return self.sender.find_sent(**kwargs)


def test_worker_killed_between_send_and_record_does_not_send_twice(engine, database, demo_clinics, redis_client,
                                                                  settings_overrides, twilio, db_factory):
    from tests.messaging.conftest import build_sms_system

    system = build_sms_system(engine, redis_client, settings_overrides, twilio, sms_send_mode="worker")
    book(system, db_factory)
    deps = system.messaging
    [message] = claim_due(db_factory=db_factory, now=utcnow())
    with pytest.raises(WorkerKilled):
        send_claimed(db_factory=db_factory, sender=DiesAfterSending(deps.sender), message=message, policy=deps.policy)
    assert system.texts()[0]["status"] == "sending"

    assert system.work() == 0  # too early to reconcile: the send could still be in flight
    system.work(utcnow() + timedelta(minutes=5))
    system.work(utcnow() + timedelta(minutes=10))
    assert len(twilio.messages) == 1 and len(twilio.create_requests) == 1
    assert len(twilio.list_requests) == 1 and twilio.list_requests[0]["To"] == PATIENT
    [text] = system.texts()
    assert text["status"] == "queued"
    with transaction(db_factory) as db:
        assert db.scalars(select(SmsMessage.twilio_sid)).one() == twilio.messages[0]["sid"]


def test_answer_lost_after_twilio_accepted_is_reconciled_not_resent(sms_system, db_factory):
    sms_system.twilio.script.append("lost_after_accept")
    book(sms_system, db_factory)
    assert sms_system.texts()[0]["status"] == "unknown"
    sms_system.work(utcnow() + timedelta(minutes=5))
    sms_system.work(utcnow() + timedelta(minutes=10))
    assert len(sms_system.twilio.messages) == 1 and len(sms_system.twilio.create_requests) == 1
    assert sms_system.texts()[0]["status"] == "queued"


def test_answer_lost_before_twilio_accepted_is_sent_once_after_lookup(sms_system, db_factory):
    sms_system.twilio.script.append("lost_before_accept")
    book(sms_system, db_factory)
    assert sms_system.texts()[0]["status"] == "unknown"
    sms_system.work(utcnow() + timedelta(minutes=5))
    sms_system.work(utcnow() + timedelta(minutes=10))
    assert len(sms_system.twilio.messages) == 1 and len(sms_system.twilio.create_requests) == 2
    assert sms_system.texts()[0]["status"] == "queued"


def test_connect_timeout_is_retried(sms_system, db_factory):
    sms_system.twilio.script.append("connect_timeout")
    book(sms_system, db_factory)
    assert sms_system.texts()[0]["status"] == "pending"
    sms_system.work(utcnow() + timedelta(hours=1))
    assert len(sms_system.twilio.messages) == 1


@pytest.mark.parametrize("code, reason", [
    (21211, "invalid phone number"),
    (21610, "opted out"),
    (21614, "not a mobile number"),
    (21408, "region not permitted"),
])
def test_permanent_errors_are_recorded_and_never_retried(sms_system, db_factory, code, reason):
    sms_system.twilio.script.append(code)
    book(sms_system, db_factory)
    for hours in (1, 5, 24):
        sms_system.work(utcnow() + timedelta(hours=hours))
    assert len(sms_system.twilio.create_requests) == 1 and sms_system.twilio.messages == []
    [text] = sms_system.texts()
    assert text["status"] == "failed" and text["error_code"] == code and reason in text["last_error"]
    with transaction(db_factory) as db:
        assert is_opted_out(db=db, phone=PATIENT) == (code == 21610)


def test_21610_stops_further_texts_to_that_number(sms_system, db_factory):
    sms_system.twilio.script.append(21610)
    book(sms_system, db_factory)
    from tests.messaging.conftest import next_weekday_slot

    book(sms_system, db_factory, start=next_weekday_slot(weekday=2))
    assert len(sms_system.twilio.create_requests) == 1
    assert [text["status"] for text in sms_system.texts()] == ["failed", "opted_out"]


def test_transient_errors_give_up_after_max_attempts(engine, database, demo_clinics, redis_client,
                                                      settings_overrides, twilio, db_factory):
    from tests.messaging.conftest import build_sms_system

    system = build_sms_system(engine, redis_client, settings_overrides, twilio, sms_max_attempts=3)
    twilio.script.extend([20500, 20500, 20500, 20500])
    book(system, db_factory)
    for hours in (1, 2, 3, 4):
        system.work(utcnow() + timedelta(hours=hours))
    assert len(twilio.create_requests) == 3
    [text] = system.texts()
    assert text["status"] == "failed" and "gave up after 3 attempts" in text["last_error"]


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(max_attempts=10, base_seconds=10, cap_seconds=100)
    rng = random.Random(7)
    delays = [[policy.delay(attempt, rng).total_seconds() for _ in range(50)] for attempt in range(1, 7)]
    for attempt, samples in enumerate(delays, start=1):
        step = min(100, 10 * 2 ** (attempt - 1))
        assert all(step / 2 <= value <= step for value in samples)
        assert len(set(samples)) > 1  # jitter spreads the retries
    assert max(delays[-1]) <= 100


def test_phone_numbers_are_validated_and_normalised(sms_system):
    payload = {"idempotency_key": "manual:0001", "kind": "booking_confirmation", "first_name": "Jane",
               "clinic_name": "Riverside Family Clinic", "doctor_name": "Dr. Sarah Chen",
               "starts_at": "2030-03-05T15:00:00+00:00", "timezone": "America/New_York"}
    created = sms_system.internal("POST", "/messaging/sms", json={**payload, "to": "(617) 555-0123"})
    assert created.status_code == 201 and created.get_json()["to"] == PATIENT
    refused = sms_system.internal("POST", "/messaging/sms", json={**payload, "idempotency_key": "manual:0002",
                                                                  "to": "+1 123"})
    assert refused.status_code == 422 and "to" in str(refused.get_json())
    assert len(sms_system.twilio.create_requests) == 1


def test_sender_is_twilio_only_when_configured():
    from services.messaging.senders import LocalOutboxSender, TwilioSmsSender, sender_from
    from services.messaging.settings import MessagingSettings

    assert isinstance(sender_from(MessagingSettings(), None), LocalOutboxSender)
    configured = MessagingSettings(twilio_account_sid="AC" + "1" * 32, twilio_auth_token="real-token",
                                   twilio_messaging_service_sid="MG" + "2" * 32)
    sender = sender_from(configured, None)
    assert isinstance(sender, TwilioSmsSender) and sender.messaging_service_sid.startswith("MG")
    assert isinstance(sender_from(MessagingSettings(twilio_account_sid="AC" + "1" * 32), None), LocalOutboxSender)


def test_the_rest_client_signs_in_with_the_api_key(twilio):
    import base64

    from services.messaging.senders import sender_from
    from services.messaging.settings import MessagingSettings
    from tests.messaging.conftest import ACCOUNT_SID, FROM_NUMBER

    settings = MessagingSettings(twilio_account_sid=ACCOUNT_SID, twilio_auth_token="account-auth-token",
                                 twilio_api_key_sid="SK" + "4" * 32, twilio_api_key_secret="key-secret",
                                 twilio_from_number=FROM_NUMBER)
    sender_from(settings, None).send(to=PATIENT, body="hello", idempotency_key="k" * 10)
    [authorization] = twilio.authorizations
    assert base64.b64decode(authorization.removeprefix("Basic ")).decode() == "SK" + "4" * 32 + ":key-secret"
    assert len(twilio.create_requests) == 1, "sent under the account, at the account's Messages URL"


def test_the_auth_token_signs_in_only_outside_production():
    import pytest
    from pydantic import ValidationError

    from services.messaging.settings import MessagingSettings
    from tests.messaging.conftest import ACCOUNT_SID

    local = MessagingSettings(twilio_account_sid=ACCOUNT_SID, twilio_auth_token="account-auth-token")
    assert local.twilio_rest_credentials == (ACCOUNT_SID, "account-auth-token")
    production = {"environment": "production", "internal_api_token": "i" * 32, "admin_api_token": "a" * 32,
                  "twilio_auth_token": "account-auth-token", "database_url": "postgresql+psycopg2://db/x",
                  "redis_url": "redis://cache:6379/0", "public_base_url": "https://receptionist.example.com"}
    with pytest.raises(ValidationError, match="TWILIO_API_KEY_SID"):
        MessagingSettings(**production, twilio_account_sid=ACCOUNT_SID)
    keyed = MessagingSettings(**production, twilio_account_sid=ACCOUNT_SID, twilio_api_key_sid="SK" + "5" * 32,
                              twilio_api_key_secret="key-secret")
    assert keyed.twilio_rest_credentials == ("SK" + "5" * 32, "key-secret")


def test_messaging_service_sid_is_sent_instead_of_from(twilio):
    from twilio.rest import Client

    from services.messaging.senders import TwilioSmsSender
    from tests.messaging.conftest import ACCOUNT_SID, API_AUTH_TOKEN

    sender = TwilioSmsSender(Client(ACCOUNT_SID, API_AUTH_TOKEN), messaging_service_sid="MG" + "3" * 32)
    result = sender.send(to=PATIENT, body="hello", idempotency_key="k" * 10)
    assert result.provider_id.startswith("SM")
    [request] = twilio.create_requests
    assert request["MessagingServiceSid"].startswith("MG") and "From" not in request


def test_invalid_number_in_the_outbox_is_closed_with_the_reason_not_retried(sms_system, db_factory):
    from tests.messaging.conftest import insert_appointment

    start = utcnow() + timedelta(days=5)
    appointment_id = insert_appointment(db_factory, starts_at=start, phone="+15555555555")
    with transaction(db_factory) as db:
        from services.calendly.models import Appointment
        from services.calendly.outbox import record_notification

        doctor = sms_system.calendly.doctors.doctor(db.get(Appointment, appointment_id).doctor_id)
        record_notification(db=db, appointment=db.get(Appointment, appointment_id), doctor=doctor,
                            kind="booking_confirmation")
    publisher = sms_system.calendly.publisher
    assert dispatch_pending(db_factory=db_factory, publisher=publisher) == 0
    assert dispatch_pending(db_factory=db_factory, publisher=publisher, now=utcnow() + timedelta(hours=1)) == 0
    with transaction(db_factory) as db:
        entry = db.scalars(select(NotificationOutbox)).one()
        assert entry.attempts == 1 and entry.delivered_at is not None and "422" in entry.last_error
    assert sms_system.texts("+15555555555") == [] and sms_system.twilio.create_requests == []


def test_sending_mode_defaults_to_the_worker_in_the_cluster():
    from services.messaging.settings import MessagingSettings

    assert MessagingSettings().sends_inline
    assert not MessagingSettings(sqs_queue_url="https://sqs.us-east-1.amazonaws.com/1/sms").sends_inline
    assert not MessagingSettings(sms_send_mode="worker").sends_inline


def test_local_outbox_ids_stay_unique_across_processes_and_restarts():
    import io

    from services.messaging.senders import LocalOutboxSender

    # Two messaging processes (or one restarted) writing texts whose keys end alike, as every
    # "booking-confirmation:v1" does: the ids go to a unique column, so they must never repeat.
    first, restarted = LocalOutboxSender(io.StringIO()), LocalOutboxSender(io.StringIO())
    ids = {sender.send(to=PATIENT, body="Hi", idempotency_key=f"appointment:{n}:booking-confirmation:v1").provider_id
           for n in range(50) for sender in (first, restarted)}
    assert len(ids) == 100
    assert first.find_sent(to=PATIENT, body="Hi", idempotency_key="appointment:3:booking-confirmation:v1",
                           since=utcnow()).provider_id in ids
