"""Fixtures for fault tests: the split deployment with a fault-injecting router, a private Redis that
may be stopped, and a TCP proxy in front of Postgres that may be cut. The machine's shared Redis and
Postgres are never stopped."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy.engine import make_url

from shared.clock import FakeClock
from tests.chaos.faults import PrivateRedis, TcpProxy
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tools.loadtest.deployment import GunicornSettings, SplitDeployment, prepare_database
from tools.phone import PhoneCall

TURN_LIMIT_SECONDS = 3.0
# In-process fault tests run on a clock inside office hours (Monday 30 November 2026, 10 AM in Boston),
# where an apology comes with a transfer to staff, whatever the hour the suite runs at.
OPEN_MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
OPEN_DAY = OPEN_MONDAY.date()


@pytest.fixture
def clock() -> FakeClock:
    """In-process services' clock: office hours on a fixed Monday."""
    return FakeClock(OPEN_MONDAY)


def database_named(suffix: str) -> str:
    """A sibling of the test database, for tests that need their own."""
    url = make_url(TEST_DATABASE_URL)
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """Eight gunicorns behind the router (faults enabled) on their own database; stopped afterwards."""
    url = database_named("chaos")
    run_dir = tmp_path_factory.mktemp("split")
    prepare_database(url, run_dir / "data")
    deployment = SplitDeployment(url, TEST_REDIS_URL, run_dir, with_baseline=False,
                                 router_faults=True, gunicorn=GunicornSettings(threads=8))
    deployment.flush_redis()
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


@pytest.fixture
def clean_faults(split):
    """No faults before or after the test."""
    split.inject(None)
    yield split
    split.inject(None)


class TimedPhone:
    """Places calls over HTTP through the router and remembers how long each turn took."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.durations: list[float] = []

    def send(self, url, params, headers):
        started = time.monotonic()
        response = self.session.post(url, data=params, headers=headers, timeout=20)
        self.durations.append(time.monotonic() - started)
        return response.status_code, response.headers.get("Content-Type", ""), response.text

    def call(self, caller: str = "+16175550123", to: str = "+16175550100") -> PhoneCall:
        """A new call."""
        return PhoneCall(self.send, self.base_url, to=to, caller=caller)


@pytest.fixture
def phone(clean_faults) -> TimedPhone:
    """A timed phone on the split deployment."""
    return TimedPhone(clean_faults.router_url)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own on a free port, which tests may stop and start again."""
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_proxy():
    """A TCP proxy to the test Postgres that tests may cut (every connection dropped) and restore."""
    url = make_url(TEST_DATABASE_URL)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    yield proxy
    proxy.stop()
