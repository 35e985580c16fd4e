"""`python -m services.messaging.worker`: takes notifications off the SQS queue (cluster) into
sms_messages, reconciles sends with unknown results, and sends due texts with backoff; `--once`
runs one pass. A queue message is deleted only after its text is stored, so a crash re-delivers it
and the idempotency key absorbs the repeat; one that cannot be parsed is left for the dead-letter
queue (the queue's redrive policy moves it after maxReceiveCount receives)."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from services.messaging.delivery import send_due
from services.messaging.service import SmsRequest, queue_sms
from shared.api import ApiError

log = logging.getLogger(__name__)


def consume_queue(*, sqs, queue_url: str, db_factory, wait_seconds: int = 0, max_messages: int = 10) -> int:
    """Store one batch of queued notifications as texts; returns how many queue messages were consumed."""
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=max_messages,
                                   WaitTimeSeconds=wait_seconds).get("Messages", [])
    consumed = 0
    for item in received:
        try:
            request = SmsRequest.model_validate_json(item["Body"])
            queue_sms(db_factory=db_factory, request=request)
        except (ValidationError, ApiError) as error:
            log.error("queue message %s is not a valid notification; leaving it for the DLQ: %s",
                      item.get("MessageId"), type(error).__name__)
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=item["ReceiptHandle"])
        consumed += 1
    return consumed


def work_once(deps, sqs=None) -> int:
    """One worker pass: drain a batch from SQS (when configured), then reconcile and send due texts."""
    settings = deps.settings
    consumed = 0
    if settings.sqs_queue_url and sqs is not None:
        consumed = consume_queue(sqs=sqs, queue_url=settings.sqs_queue_url, db_factory=deps.db,
                                 wait_seconds=settings.sqs_wait_seconds)
    sent = send_due(db_factory=deps.db, sender=deps.sender, policy=deps.policy,
                    public_base_url=settings.public_base_url)
    return consumed + sent


def main(argv: list[str] | None = None) -> None:
    """Run the worker loop."""
    from services.jobs import run_loop, service_dependencies

    deps = service_dependencies("messaging")
    sqs = None
    if deps.settings.sqs_queue_url:
        import boto3

        sqs = boto3.client("sqs", region_name=deps.settings.aws_region, endpoint_url=deps.settings.sqs_endpoint_url)
    run_loop("services.messaging.worker", lambda: work_once(deps, sqs), deps.settings.worker_poll_seconds, argv)


if __name__ == "__main__":
    main()
