"""Fixtures layered from the outside in: real Postgres and Redis -> migrated, emptied database ->
demo clinics -> the whole system in one process -> a phone that calls it as Twilio would.

TEST_DATABASE_URL and TEST_REDIS_URL choose the backends (defaults: 127.0.0.1, database
receptionist_test, Redis db 15). When one is not reachable the run fails saying what to start.
TEST_NOW (an ISO instant with its offset) sets the tests' idea of "now" (docs/testing.md); Hypothesis
runs derandomized when CI is set, else with a seed printed in the header (HYPOTHESIS_SEED repeats it).
"""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.messaging.senders import LocalOutboxSender
from shared.clock import FakeClock
from shared.db import make_engine, make_session_factory, migrate
from shared.sessions import RedisCallSessionStore, make_redis
from shared.settings import LOCAL_INTERNAL_TOKEN
from tests.timing import test_now
from tools.phone import PhoneCall

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/receptionist_test"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RIVERSIDE_NUMBER = "+16175550100"
HARBOR_NUMBER = "+14155550100"
CALLER = "+16175550123"


def _create_database_if_missing(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except Exception as error:  # noqa: BLE001 - turned into an actionable failure
        pytest.fail(
            f"Postgres is not reachable at {parsed.set(password=None)} ({type(error).__name__}). "
            "Start it (make test does) or set TEST_DATABASE_URL.", pytrace=False,
        )
    finally:
        admin.dispose()


def empty_database(url: str) -> None:
    """A Postgres database at `url` with nothing in it (created when missing)."""
    _create_database_if_missing(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> str:
    """A freshly migrated test database on real Postgres."""
    empty_database(TEST_DATABASE_URL)
    migrate(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


@pytest.fixture
def scratch_postgres_url(database_url):
    """An empty Postgres database of the test's own, dropped after it (migration tests; CREATE INDEX
    CONCURRENTLY waits for other sessions)."""
    url = make_url(database_url).set(database=f"{make_url(database_url).database}_scratch")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url):
    """One engine for the whole run."""
    engine = make_engine(database_url, pool_size=10)
    yield engine
    engine.dispose()


@pytest.fixture
def database(engine):
    """The engine, with every table emptied before the test."""
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture
def db_factory(database):
    """A session factory on the emptied database."""
    return make_session_factory(database)


@pytest.fixture
def demo_clinics(db_factory, tmp_path) -> list[str]:
    """The demo clinics, their doctors read from the sample PDFs as `make run` loads them."""
    from services.knowledge_base.service import load_demo_clinics
    from shared.storage import LocalObjectStore

    return load_demo_clinics(db=db_factory, objects=LocalObjectStore(tmp_path / "demo-objects"))


@pytest.fixture
def redis_client() -> redis.Redis:
    """A real Redis, its test database emptied."""
    client = make_redis(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL} ({type(error).__name__}). "
                    "Start it (make test does) or set TEST_REDIS_URL.", pytrace=False)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def settings_overrides(database_url) -> dict[str, Any]:
    """Settings every service gets in tests: real backends, test mode, no retries' waiting."""
    return {"environment": "test", "database_url": database_url, "redis_url": TEST_REDIS_URL,
            "log_format": "json", "http_retries": 1}


@pytest.fixture
def clock() -> FakeClock:
    """The time every service of `system` sees: frozen at the start of the test unless the test (or a
    folder's conftest) sets it."""
    return FakeClock(test_now())


hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config) -> None:
    """Outside CI, give Hypothesis one seed for the run (before its plugin reads the option)."""
    if not os.environ.get("CI") and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = os.environ.get("HYPOTHESIS_SEED") or str(random.randrange(2**32))


def pytest_report_header(config) -> str:
    """The Hypothesis seed and the tests' "now", so a failing run can be repeated exactly."""
    seed = "derandomized (CI)" if os.environ.get("CI") else config.getoption("hypothesis_seed", None)
    return f"hypothesis seed: {seed} (HYPOTHESIS_SEED=<seed> repeats it); tests' now: {test_now().isoformat()}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Repeat the seed under failures, where it is looked for."""
    if exitstatus and not os.environ.get("CI"):
        terminalreporter.write_line(f"hypothesis seed: {config.getoption('hypothesis_seed', None)} "
                                    "(rerun with HYPOTHESIS_SEED=<seed>)")


@dataclass
class SystemUnderTest:
    """The eight services in one process, with ways in as Twilio and as another service."""

    app: Any
    http: Client
    outbox: io.StringIO
    sessions: RedisCallSessionStore
    clock: FakeClock | None = None

    def transport(self, url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str, str]:
        """Deliver a webhook request to the in-process system (used by PhoneCall)."""
        response = self.http.post(url, data=params, headers=headers)
        return response.status_code, response.headers.get("Content-Type", ""), response.get_data(as_text=True)

    def phone(self, to: str = RIVERSIDE_NUMBER, caller: str = CALLER, **kwargs: Any) -> PhoneCall:
        """A new call to a clinic number."""
        return PhoneCall(self.transport, "http://localhost", to=to, caller=caller, **kwargs)

    def internal(self, method: str, path: str, token: str | None = LOCAL_INTERNAL_TOKEN, **kwargs: Any):
        """Call an internal API with the service token (or another / no token)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.open(path, method=method, headers=headers, **kwargs)


@pytest.fixture
def system(engine, database, demo_clinics, redis_client, settings_overrides, clock) -> SystemUnderTest:
    """The whole system on real Postgres and Redis, demo clinics loaded, SMS to an in-memory outbox,
    every service on the test's clock."""
    outbox = io.StringIO()
    sessions = RedisCallSessionStore(redis_client)
    app = create_all_in_one(settings_overrides, engine=engine, session_store=sessions,
                            sms_sender=LocalOutboxSender(outbox), clock=clock)
    return SystemUnderTest(app=app, http=Client(app), outbox=outbox, sessions=sessions, clock=clock)
