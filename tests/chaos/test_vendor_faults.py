"""Vendor faults as the caller lives them, on the whole system in one process with each vendor's fake
(the same fakes the vendors' own tests check against their specs): ElevenLabs rate-limited, failing or
slow still gives `<Say>` within the turn's deadline; Calendly rate-limited or down still books from
local availability and syncs later; Twilio SMS failing or timing out still tells the caller "booked"
and sends exactly one text later."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from werkzeug.test import Client

from shared.db import utcnow
from tests.calendly_sync.conftest import (  # noqa: F401 - fixtures used by name
    breaker_clock,
    calendly_client,
    calendly_overrides,
    calendly_system,
    fake_calendly,
    sleeps,
    spec_checker,
)
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE
from tests.calendly_sync.helpers import run_sync
from tests.chaos.conftest import OPEN_DAY, TURN_LIMIT_SECONDS
from tests.messaging.conftest import PATIENT, PUBLIC_BASE, sms_system, twilio  # noqa: F401 - fixtures
from tests.timing import next_weekday_at, spoken_day
from tests.tts.conftest import (  # noqa: F401 - fixtures used by name
    clinic_voices,
    elevenlabs_sdk,
    fake_elevenlabs,
    s3_store,
    tts_overrides,
    tts_system,
)
from tools.phone import PhoneCall


class TimedClient:
    """A transport for PhoneCall into an in-process app that times each turn."""

    def __init__(self, app):
        self.client = Client(app)
        self.durations: list[float] = []

    def __call__(self, url, params, headers):
        started = time.monotonic()
        response = self.client.post(url, data=params, headers=headers)
        self.durations.append(time.monotonic() - started)
        return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)


def book_by_phone(app, *, hour: int, base_url: str = "http://localhost",
                  caller: str = PATIENT) -> tuple[PhoneCall, TimedClient]:
    """A whole booking call with Dr. Chen; returns the call (last reply in call.last) and its timings."""
    transport = TimedClient(app)
    call = PhoneCall(transport, base_url, to="+16175550100", caller=caller)
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech=spoken_day(next_weekday_at(hour, today=OPEN_DAY)))
    if reply.gather and reply.gather["action"] == "/choose-slot":
        call.answer(digits="1")
    call.answer(speech="Jane Doe")
    call.answer(speech="12 Main Street Boston")
    call.answer(digits="1")
    return call, transport


@pytest.fixture
def tts_overrides():  # noqa: F811 - the service's own default deadline, not the tts tests' short one
    from tests.tts.conftest import TTS_OVERRIDES

    return {key: value for key, value in TTS_OVERRIDES.items() if key != "tts_deadline_seconds"}


@pytest.mark.parametrize("fault", ["rate_limited", "server_error", "timeout", "slow"])
def test_elevenlabs_faults_give_say_within_the_turn_deadline(tts_system, fault):  # noqa: F811
    if fault == "slow":
        tts_system.fake.delay_seconds = 6
    else:
        tts_system.fake.mode = fault
    call, transport = book_by_phone(tts_system.app, hour=10)
    assert "You're booked" in call.last.text
    assert max(transport.durations) < TURN_LIMIT_SECONDS, transport.durations
    spoken = [element for document in call.last.documents for element in document.iter() if element.tag == "Say"]
    assert spoken, "the caller heard nothing"


@pytest.mark.parametrize("fault", ["rate_limited", "down"])
def test_calendly_faults_still_book_locally_and_sync_later(calendly_system, fake_calendly, breaker_clock, fault):  # noqa: F811
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {next_weekday_at(11, today=OPEN_DAY)}
    if fault == "down":
        fake_calendly.down = True  # 503 on everything: availability falls back to local slots
    else:
        fake_calendly.bookings_left = 0  # 429 with X-RateLimit-Reset on booking
    call, transport = book_by_phone(calendly_system.app, hour=11)
    assert "You're booked with Dr. Sarah Chen" in call.last.text
    assert max(transport.durations) < TURN_LIMIT_SECONDS

    assert run_sync(calendly_system).get("done", 0) == 0 and not fake_calendly.invitees
    fake_calendly.down, fake_calendly.bookings_left = False, None
    breaker_clock.now += 3600  # the client's circuit breaker closes again
    assert run_sync(calendly_system, now=utcnow() + timedelta(hours=2)).get("done") == 1
    assert len(fake_calendly.invitees) == 1
    assert run_sync(calendly_system, now=utcnow() + timedelta(hours=4)).get("done", 0) == 0  # synced once


@pytest.mark.parametrize("failures", [[20503, 20429], ["connect_timeout"], ["lost_after_accept"]])
def test_sms_faults_keep_the_booking_and_text_exactly_once(sms_system, failures):  # noqa: F811
    sms_system.twilio.script.extend(failures)
    call, transport = book_by_phone(sms_system.app, hour=14, base_url=PUBLIC_BASE)
    assert "You're booked" in call.last.text
    assert max(transport.durations) < TURN_LIMIT_SECONDS
    for hours in range(1, 8):
        sms_system.work(utcnow() + timedelta(hours=hours))
    assert len(sms_system.twilio.bodies_to(PATIENT)) == 1
