"""Locust scenario: each user is one caller placing whole calls as Twilio would (fresh CallSid, signed
form POSTs, following the TwiML with tools.phone.PhoneCall), thinking like a person before each answer.

Environment: LOADTEST_THINK: "prompt" (default: hear the prompt, then answer in 1-3 s), "prompt:min,max"
(other answering times) or "min,max" (flat seconds per turn; "0,0" for capacity runs); see ThinkTime.
LOADTEST_PAUSE="min,max" seconds between calls (default 1,3), LOADTEST_MIX="book=60,cancel=15,..."
(default tools.loadtest.callers.CALL_MIX), LOADTEST_CLINIC_NUMBERS=numbers to dial, comma-separated
(default: the two demo clinics), LOADTEST_SUMMARY=path of the JSON summary written at the end,
TWILIO_AUTH_TOKEN (default: the local token the services use), LOADTEST_PROGRESS_SECONDS=print a
"progress" line that often (turns/s, p99 and failures since the last line; default 0: none).
The summary also holds the run's timeline: turns/s and p99 per interval (tools/loadtest/timeline.py).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, between, events, task

from shared.settings import LOCAL_TWILIO_AUTH_TOKEN
from tools.loadtest.callers import CALL_MIX, CLINIC_NUMBERS, ThinkTime, pick_kind, place_call
from tools.loadtest.timeline import p99, timeline
from tools.phone import PhoneCall, Reply


def _pair(name: str, default: str) -> tuple[float, float]:
    low, _, high = os.environ.get(name, default).partition(",")
    return float(low), float(high or low)


THINK = ThinkTime.parse(os.environ.get("LOADTEST_THINK", "prompt"))
PAUSE = _pair("LOADTEST_PAUSE", "1,3")
MIX = {kind: int(weight) for kind, _, weight in (item.partition("=") for item in
       os.environ.get("LOADTEST_MIX", "").split(",") if item)} or CALL_MIX
AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", LOCAL_TWILIO_AUTH_TOKEN)
NUMBERS = tuple(filter(None, os.environ.get("LOADTEST_CLINIC_NUMBERS", "").split(","))) or CLINIC_NUMBERS
_caller_numbers = itertools.count(1)
AREA_CODES = ("617", "415", "212", "312", "206", "303")  # valid numbers, so validation accepts the caller ID
OUTCOMES: Counter = Counter()
FAILURE_EXAMPLES: list[str] = []
FAILED_CALLS: Counter = Counter()
TURNS: Counter = Counter()
WORDS: Counter = Counter()
# The same for calls that took the time first named (no free times offered): the typical booking.
DIRECT: Counter = Counter()
WEBHOOK_MS: list[float] = []
PROGRESS_SECONDS = float(os.environ.get("LOADTEST_PROGRESS_SECONDS", "0"))
# (seconds since the first turn, milliseconds, failed) of every webhook turn, for the timeline and progress
TURN_LOG: list[tuple[float, float, bool]] = []
_first_turn: list[float] = []


class Caller(FastHttpUser):
    """One person with one phone number, calling the clinics again and again."""

    wait_time = between(*PAUSE)
    connection_timeout = 15.0
    network_timeout = 15.0  # Twilio gives up on a webhook after 15 s

    def on_start(self) -> None:
        """A stable caller ID per user, so cancel and reschedule calls find earlier bookings."""
        index = next(_caller_numbers)
        self.number = f"+1{AREA_CODES[index // 10_000 % len(AREA_CODES)]}555{index % 10_000:04d}"
        self.rng = random.Random()
        self.booked_with: list[str] = []  # clinics this caller has appointments with

    def _send(self, url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str, str]:
        path = urlsplit(url).path
        started = time.perf_counter()
        with self.client.post(path, data=urlencode(params), name=path, catch_response=True, headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded",
        }) as response:
            content_type = response.headers.get("Content-Type", "") if response.headers else ""
            body = response.text or ""
            failed = response.status_code != 200 or not content_type.startswith("text/xml")
            if failed:
                response.failure(f"{response.status_code} {content_type} {body[:120]}")
            else:
                response.success()
            elapsed_ms = (time.perf_counter() - started) * 1000
            WEBHOOK_MS.append(elapsed_ms)
            if not _first_turn:
                _first_turn.append(started)
            TURN_LOG.append((started - _first_turn[0], elapsed_ms, failed))
            return response.status_code or 0, content_type, body

    def _think(self, reply: Reply) -> None:
        gevent.sleep(THINK.seconds(reply, self.rng))

    @task
    def call(self) -> None:
        """Place one call of a kind drawn from the mix and record it as one CALL sample."""
        kind = pick_kind(self.rng, MIX)
        # A person cancels or moves an appointment with the clinic they booked it with.
        manages = kind in ("cancel", "reschedule") and self.booked_with
        clinic = self.rng.choice(self.booked_with) if manages else self.rng.choice(NUMBERS)
        phone = PhoneCall(self._send, self.host, to=clinic, caller=self.number, auth_token=AUTH_TOKEN)
        started = time.perf_counter()
        result = place_call(phone, kind, self.rng, think=self._think)
        OUTCOMES[f"{kind}:{result.outcome}"] += 1
        if result.outcome in ("booked", "rescheduled"):
            self.booked_with.append(clinic)
        elif result.outcome == "cancelled" and clinic in self.booked_with:
            self.booked_with.remove(clinic)
        TURNS[kind] += result.answers
        WORDS[kind] += result.words
        if not result.offered_times and result.outcome == "booked":
            DIRECT[f"{kind}:calls"] += 1
            DIRECT[f"{kind}:turns"] += result.answers
            DIRECT[f"{kind}:words"] += result.words
        failure = None
        if result.failed:
            failure = RuntimeError(f"{result.outcome}: {result.detail or (result.heard or [''])[-1][:160]}")
            FAILED_CALLS[kind] += 1
            if len(FAILURE_EXAMPLES) < 20:
                FAILURE_EXAMPLES.append(f"{kind} {phone.call_sid}: {failure}")
        events.request.fire(request_type="CALL", name=kind, response_time=(time.perf_counter() - started) * 1000,
                            response_length=result.turns, exception=failure, context={})


@events.test_start.add_listener
def _start_progress(environment, **_kwargs) -> None:
    """Print a progress line every PROGRESS_SECONDS while the callers run."""
    if PROGRESS_SECONDS <= 0:
        return

    def report() -> None:
        seen, started = 0, time.monotonic()
        while True:
            gevent.sleep(PROGRESS_SECONDS)
            recent, seen = TURN_LOG[seen:], len(TURN_LOG)
            calls = sum(OUTCOMES.values())
            print(f"progress {time.monotonic() - started:5.0f} s: {environment.runner.user_count} callers, "
                  f"{len(recent) / PROGRESS_SECONDS:6.1f} turns/s, p99 {p99([ms for _, ms, _ in recent]):5.0f} ms, "
                  f"{sum(failed for _, _, failed in recent)} failed turns; {calls} calls done, "
                  f"{sum(FAILED_CALLS.values())} failed calls", flush=True)

    gevent.spawn(report)


@events.quitting.add_listener
def _write_summary(environment, **_kwargs) -> None:
    """Write per-endpoint percentiles and call outcomes as JSON for tools.loadtest to report."""
    target = os.environ.get("LOADTEST_SUMMARY")
    if not target:
        return
    stats = environment.stats
    entries = []
    for entry in stats.entries.values():
        entries.append({
            "method": entry.method, "name": entry.name, "requests": entry.num_requests,
            "failures": entry.num_failures, "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95), "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time, "mean": entry.avg_response_time,
        })
    total = stats.total
    duration = max((total.last_request_timestamp or 0) - (total.start_time or 0), 1e-6)
    webhook_requests = sum(item["requests"] for item in entries if item["method"] != "CALL")
    ordered = sorted(WEBHOOK_MS) or [0.0]
    webhooks = {f"p{share}": ordered[min(len(ordered) - 1, int(share / 100 * len(ordered)))] for share in (50, 95, 99)}
    webhooks["max"] = ordered[-1]
    with open(target, "w", encoding="utf-8") as handle:
        json.dump({
            "entries": entries, "outcomes": dict(OUTCOMES), "failure_examples": FAILURE_EXAMPLES,
            "turns": dict(TURNS), "words": dict(WORDS), "direct": dict(DIRECT), "duration_seconds": duration,
            "webhook_requests": webhook_requests, "webhook_ms": webhooks, "timeline": timeline(TURN_LOG),
            "errors": [{"name": error.name, "error": str(error.error)[:200], "count": error.occurrences}
                       for error in stats.errors.values()][:20],
        }, handle, indent=2)
