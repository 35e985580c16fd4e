"""Cluster hand-off: the calendly dispatcher puts notifications on SQS (boto3, moto), the messaging
worker stores and sends them; POST /messaging/sms only queues; duplicates are absorbed; a poison
message ends in the dead-letter queue."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from services.messaging.worker import consume_queue, work_once
from tests.messaging.conftest import PATIENT, book, build_sms_system

REGION = "us-east-1"


@pytest.fixture
def queues(monkeypatch):
    """An SQS queue with a dead-letter queue after two receives."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        dlq_url = sqs.create_queue(QueueName="sms-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_url = sqs.create_queue(QueueName="sms", Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
        })["QueueUrl"]
        yield sqs, queue_url, dlq_url


@pytest.fixture
def cluster(queues, engine, database, demo_clinics, redis_client, settings_overrides, twilio):
    """The system configured as in the cluster: SQS hand-off, worker sending mode.

    `queues` comes first so that moto is active before the Twilio fake's `responses` mock, which then
    patches requests last (moto would otherwise pass Twilio calls through to the network).
    """
    _, queue_url, _ = queues
    return build_sms_system(engine, redis_client, settings_overrides, twilio, sqs_queue_url=queue_url,
                            sms_send_mode="worker", aws_region=REGION)


def _depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_booking_goes_through_sqs_and_the_worker_sends_once(queues, cluster, db_factory):
    sqs, queue_url, _ = queues
    book(cluster, db_factory)
    assert cluster.texts() == [] and cluster.twilio.create_requests == []  # nothing sent inline
    assert work_once(cluster.messaging, sqs) == 2  # one consumed, one sent
    assert work_once(cluster.messaging, sqs) == 0
    assert len(cluster.twilio.messages) == 1 and cluster.texts()[0]["status"] == "queued"


def test_a_notification_delivered_twice_by_sqs_is_texted_once(queues, cluster, db_factory):
    sqs, queue_url, _ = queues
    book(cluster, db_factory)
    body = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)  # at-least-once delivery: a duplicate
    for _ in range(3):
        work_once(cluster.messaging, sqs)
    assert len(cluster.texts()) == 1 and len(cluster.twilio.messages) == 1
    assert _depth(sqs, queue_url) == 0


def test_post_messaging_sms_only_queues_in_worker_mode(cluster, queues):
    payload = {"idempotency_key": "manual:0003", "kind": "booking_confirmation", "to": PATIENT,
               "first_name": "Jane", "clinic_name": "Riverside Family Clinic", "doctor_name": "Dr. Sarah Chen",
               "starts_at": "2030-03-05T15:00:00+00:00", "timezone": "America/New_York"}
    created = cluster.internal("POST", "/messaging/sms", json=payload)
    assert created.status_code == 201 and created.get_json()["status"] == "pending"
    assert cluster.twilio.create_requests == []
    cluster.work()
    assert len(cluster.twilio.messages) == 1


def test_poison_message_lands_in_the_dead_letter_queue(queues, cluster, db_factory):
    sqs, queue_url, dlq_url = queues
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"kind": "booking_confirmation", "to": "nonsense"}))
    for _ in range(3):
        consume_queue(sqs=sqs, queue_url=queue_url, db_factory=db_factory)
    assert _depth(sqs, queue_url) == 0 and _depth(sqs, dlq_url) == 1
    assert cluster.texts() == []
