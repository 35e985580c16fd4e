"""Benchmark of whole booking calls through all eight services in one process (SQLite, embedded
sessions): latency per Twilio webhook turn, percentiles, and turns per second."""

from __future__ import annotations

import io
import logging
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.messaging.senders import LocalOutboxSender
from tools.manage import local_demo_database
from tools.phone import PhoneCall

CALLS = 40


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Place CALLS booking calls back to back and print turn latency figures."""
    logging.disable(logging.WARNING)
    folder = tempfile.mkdtemp()
    url, engine = local_demo_database(folder)
    app = create_all_in_one({"database_url": url, "local_data_dir": folder}, engine=engine,
                            sms_sender=LocalOutboxSender(io.StringIO()))
    client = Client(app)
    turns: list[float] = []

    def transport(target, params, headers):
        started = time.perf_counter()
        response = client.post(target, data=params, headers=headers)
        turns.append(time.perf_counter() - started)
        return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)

    zone = ZoneInfo("America/New_York")
    day = datetime.now(zone).date() + timedelta(days=3)
    booked = 0
    started = time.perf_counter()
    for index in range(CALLS):
        while day.weekday() > 4:
            day += timedelta(days=1)
        hour = 9 + index % 8
        call = PhoneCall(transport, "http://localhost", to="+16175550100", caller=f"+1617555{index:04d}")
        call.start()
        call.answer(digits="1")
        call.answer(digits="1")
        call.answer(speech=f"{day:%B} {day.day} at {hour % 12 or 12} {'am' if hour < 12 else 'pm'}")
        call.answer(speech="Jane Doe")
        call.answer(digits="1")
        call.answer(speech="12 Main Street Boston")
        booked += "You're booked" in call.answer(digits="1").text
        if hour == 16:
            day += timedelta(days=1)
    elapsed = time.perf_counter() - started
    milliseconds = [value * 1000 for value in turns]
    print(f"booking calls: {CALLS} ({booked} booked), webhook turns: {len(turns)}, in-process, one thread")
    print(f"turn latency ms: p50 {percentile(milliseconds, 0.5):.1f}  p95 {percentile(milliseconds, 0.95):.1f}  "
          f"p99 {percentile(milliseconds, 0.99):.1f}  mean {statistics.mean(milliseconds):.1f}")
    print(f"throughput: {len(turns) / elapsed:.0f} turns/s, {CALLS / elapsed:.1f} calls/s")
