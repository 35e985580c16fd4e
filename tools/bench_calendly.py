"""Benchmark of the Calendly sync (SQLite, one process, Calendly answered in-process by `responses`):
signed webhooks applied per second, sync-queue bookings pushed per second, and the latency the
Calendly merge adds to an availability request (cold: asking Calendly; warm: its cached answer)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import platform
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import responses
from sqlalchemy import update
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.calendly import sync
from services.messaging.senders import LocalOutboxSender
from shared.db import make_session_factory, transaction
from tools.manage import local_demo_database

WEBHOOKS = 200
BOOKINGS = 100
AVAILABILITY_REQUESTS = 50
EVENT_TYPE = "https://api.calendly.com/event_types/BENCH000000000001"
KEY = "bench-signing-key"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _calendly_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fake_calendly(mock: responses.RequestsMock, open_times: list[datetime]) -> None:
    counter = iter(range(10**9))

    def invitee(request):
        number = next(counter)
        event = f"https://api.calendly.com/scheduled_events/E{number:015d}"
        return 201, {}, json.dumps({"resource": {
            "uri": f"{event}/invitees/I{number:015d}", "event": event, "status": "active",
            "cancel_url": f"https://calendly.com/cancellations/I{number}",
            "reschedule_url": f"https://calendly.com/reschedulings/I{number}"}})

    def available(request):
        collection = [{"status": "available", "invitees_remaining": 1, "start_time": _calendly_stamp(moment)}
                      for moment in open_times]
        return 200, {}, json.dumps({"collection": collection})

    mock.add_callback("POST", "https://api.calendly.com/invitees", callback=invitee)
    mock.add_callback("GET", re.compile(r"https://api\.calendly\.com/event_type_available_times.*"), callback=available)


def _signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(KEY.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Calendly-Webhook-Signature": f"t={stamp},v1={digest}"}


def main() -> None:
    """Run the three measurements and print their figures."""
    from services.knowledge_base.models import Doctor

    logging.disable(logging.WARNING)
    print(f"machine: {platform.platform()} | {os.cpu_count()} cpus | Python {platform.python_version()}")
    folder = tempfile.mkdtemp()
    url, engine = local_demo_database(folder)
    db_factory = make_session_factory(engine)
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.id == 1).values(calendly_event_type=EVENT_TYPE))
    settings = {"database_url": url, "local_data_dir": folder, "calendly_token": "bench-token",
                "calendly_webhook_signing_key": KEY, "calendly_bookings_per_minute": 10**6,
                "calendly_bookings_per_hour": 10**6, "calendly_bookings_per_day": 10**6}
    app = create_all_in_one(settings, engine=engine, sms_sender=LocalOutboxSender(io.StringIO()))
    client = Client(app)
    deps = app.apps["calendly"].extensions["receptionist"]
    zone = ZoneInfo("America/New_York")
    first_day = datetime.now(zone).date() + timedelta(days=3)
    days = [first_day + timedelta(days=offset) for offset in range(60)
            if (first_day + timedelta(days=offset)).weekday() < 5]
    grid = [datetime(day.year, day.month, day.day, 9, tzinfo=zone) + timedelta(minutes=30 * slot)
            for day in days for slot in range(16)]

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        _fake_calendly(mock, grid[:40])
        webhook_ms = []
        for index in range(WEBHOOKS):
            start = grid[index]
            body = json.dumps({"event": "invitee.created", "created_at": _calendly_stamp(start), "payload": {
                "uri": f"https://api.calendly.com/scheduled_events/W{index:015d}/invitees/X{index:015d}",
                "event": f"https://api.calendly.com/scheduled_events/W{index:015d}", "name": "Bench Invitee",
                "email": "bench@example.com", "text_reminder_number": None, "rescheduled": False,
                "scheduled_event": {"uri": f"https://api.calendly.com/scheduled_events/W{index:015d}",
                                    "event_type": EVENT_TYPE, "start_time": _calendly_stamp(start),
                                    "end_time": _calendly_stamp(start + timedelta(minutes=30))}}}).encode()
            started = time.perf_counter()
            response = client.post("/webhooks/calendly?clinic=riverside", data=body, headers=_signed(body),
                                   content_type="application/json")
            webhook_ms.append((time.perf_counter() - started) * 1000)
            assert response.get_json()["outcome"] == "created", response.get_json()
        print(f"webhooks applied: {WEBHOOKS}, p50 {percentile(webhook_ms, 0.5):.1f} ms, "
              f"p95 {percentile(webhook_ms, 0.95):.1f} ms, {WEBHOOKS / (sum(webhook_ms) / 1000):.0f}/s")

        for index in range(BOOKINGS):
            response = client.post("/calendly/appointments", headers={"Authorization": "Bearer local-internal-token"},
                                   json={"doctor_id": 1, "start": grid[WEBHOOKS + index].isoformat(),
                                         "patient": {"name": "Bench Caller", "phone": f"+1617555{index:04d}"}})
            assert response.status_code == 201, response.get_json()
        started = time.perf_counter()
        report = sync.run_once(db_factory=db_factory, calendly=deps.calendly, client=deps.client,
                               limits=sync.BookingLimits.from_settings(deps.settings), batch=BOOKINGS)
        elapsed = time.perf_counter() - started
        print(f"sync queue: {report.counts} in {elapsed * 1000:.0f} ms, {BOOKINGS / elapsed:.0f} bookings/s "
              "(Calendly answering instantly; real pushes are bounded by its 10/min limit)")

        def availability_ms() -> float:
            started = time.perf_counter()
            response = client.get("/calendly/availability?doctor_id=1&limit=3",
                                  headers={"Authorization": "Bearer local-internal-token"})
            assert response.status_code == 200
            return (time.perf_counter() - started) * 1000

        cold = []
        for _ in range(10):
            deps.calendly_availability.cache.clear()
            cold.append(availability_ms())
        warm = [availability_ms() for _ in range(AVAILABILITY_REQUESTS)]
        merge, deps.calendly_availability = deps.calendly_availability, None
        local = [availability_ms() for _ in range(AVAILABILITY_REQUESTS)]
        deps.calendly_availability = merge
        print(f"availability p50: local only {percentile(local, 0.5):.1f} ms, with Calendly merge cold "
              f"{percentile(cold, 0.5):.1f} ms, warm (cached) {percentile(warm, 0.5):.1f} ms "
              f"(mean {statistics.mean(warm):.1f} ms)")


if __name__ == "__main__":
    main()
