"""Messaging benchmark: how fast texts are queued (idempotent insert) and sent by the worker
(claim, send to the printed outbox, record), on BENCH_DATABASE_URL or a temporary SQLite file."""

from __future__ import annotations

import io
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta

from services.messaging.delivery import RetryPolicy, send_due
from services.messaging.senders import LocalOutboxSender
from services.messaging.service import SmsRequest, queue_sms
from shared.db import make_engine, make_session_factory, migrate

COUNT = 500


def _request(index: int, run: str) -> SmsRequest:
    return SmsRequest(idempotency_key=f"bench:{run}:{index:06d}", kind="booking_confirmation",
                      to=f"+1617555{index % 10000:04d}", first_name="Jane", clinic_name="Riverside Family Clinic",
                      doctor_name="Dr. Sarah Chen", starts_at=datetime(2030, 3, 5, 15, tzinfo=UTC),
                      timezone="America/New_York")


def main() -> None:
    """Print queue and send rates plus the machine."""
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        run = str(time.time_ns())
        requests = [_request(index, run) for index in range(COUNT)]
        started = time.perf_counter()
        for request in requests:
            queue_sms(db_factory=factory, request=request)
        queued = time.perf_counter() - started
        started = time.perf_counter()
        for request in requests[:100]:
            queue_sms(db_factory=factory, request=request)
        repeats = time.perf_counter() - started
        sender, policy = LocalOutboxSender(io.StringIO()), RetryPolicy()
        started = time.perf_counter()
        sent = 0
        while batch := send_due(db_factory=factory, sender=sender, policy=policy,
                                now=datetime.now(UTC) + timedelta(seconds=1), limit=50):
            sent += batch
        sending = time.perf_counter() - started
        engine.dispose()
    backend = url.split(":", 1)[0]
    print(f"messaging: queue {COUNT / queued:.0f} texts/s, repeat (deduplicated) {100 / repeats:.0f}/s, "
          f"worker send {sent / sending:.0f} texts/s ({sent} sent) on {backend}")
    print(f"machine: {platform.platform()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
