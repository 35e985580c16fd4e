"""Fixtures: the spec checker, a Calendly fake on `responses`, a Calendly client that never really
sleeps, and the whole system with Calendly configured and Dr. Chen mapped to an event type."""

from __future__ import annotations

import io
from typing import Any

import pytest
import responses
from sqlalchemy import update

from services.all_in_one import create_all_in_one
from services.calendly.calendly_api import CalendlyClient, CircuitBreaker
from services.knowledge_base.models import Doctor
from services.messaging.senders import LocalOutboxSender
from shared.db import transaction
from shared.sessions import RedisCallSessionStore
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, FakeCalendly
from tests.calendly_sync.spec_check import SpecChecker
from tests.conftest import SystemUnderTest

SIGNING_KEY = "test-signing-key-5mEzn9C"


class MonotonicClock:
    """A monotonic clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    """Calendly's 2024 OpenAPI spec, loaded once."""
    return SpecChecker()


@pytest.fixture
def fake_calendly(spec_checker, clock):
    """Calendly answered by the fake on the test's clock; the test fails if any request broke the spec."""
    fake = FakeCalendly(spec_checker, now=clock.now)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake
    assert fake.problems == [], fake.problems


@pytest.fixture
def breaker_clock() -> MonotonicClock:
    """The circuit breaker's clock."""
    return MonotonicClock()


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff waits the client asked for (it never really sleeps in tests)."""
    return []


@pytest.fixture
def calendly_client(fake_calendly, breaker_clock, sleeps, clock) -> CalendlyClient:
    """A client of the fake on the test's clock: 2 retries, breaker opening after 3 failures for 30 s."""
    return CalendlyClient("test-token", retries=2, breaker=CircuitBreaker(3, 30.0, breaker_clock), sleep=sleeps.append,
                          wall_clock=lambda: clock.now().timestamp())


@pytest.fixture
def calendly_overrides(settings_overrides) -> dict[str, Any]:
    """Settings with Calendly configured."""
    return {**settings_overrides, "calendly_token": "test-token", "calendly_webhook_signing_key": SIGNING_KEY,
            "calendly_availability_cache_seconds": 0}


@pytest.fixture
def calendly_system(engine, database, demo_clinics, redis_client, calendly_overrides, calendly_client, db_factory,
                    clock):
    """The whole system with Calendly on, Dr. Chen (id 1) mapped to CHEN_EVENT_TYPE."""
    with transaction(db_factory) as db:
        db.execute(update(Doctor).where(Doctor.id == 1).values(calendly_event_type=CHEN_EVENT_TYPE))
    outbox = io.StringIO()
    sessions = RedisCallSessionStore(redis_client)
    app = create_all_in_one(calendly_overrides, engine=engine, session_store=sessions,
                            sms_sender=LocalOutboxSender(outbox), calendly_api=calendly_client, clock=clock)
    from werkzeug.test import Client

    return SystemUnderTest(app=app, http=Client(app), outbox=outbox, sessions=sessions, clock=clock)
