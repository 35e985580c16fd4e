"""A hung Redis and a hung Postgres (each behind a TCP proxy the test controls, which goes on
accepting connections and never answers) cost a caller no more than the turn budget: the turn ends
with TwiML, an apology and staff, within TURN_LIMIT_SECONDS, however long the backend stays hung.

The bound is wide on purpose (a shared machine may be slow), yet a client waiting on the backend's
own answer would take 30 s or forever, so it still fails here. The turn budget is set to 1 s, leaving
2 s of slack for a loaded machine."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.engine import make_url

from services.all_in_one import create_all_in_one
from services.messaging.senders import LocalOutboxSender
from shared.db import make_engine
from shared.sessions import RedisCallSessionStore, make_redis
from tests.chaos.conftest import TURN_LIMIT_SECONDS
from tests.chaos.faults import TcpProxy
from tests.chaos.test_backend_outages import STAFF, InProcessPhone, book_through, proxied
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

TURN = {"turn_deadline_seconds": 1.0}


@pytest.fixture
def redis_proxy():
    """A TCP proxy in front of the test Redis, which the test may hang."""
    url = make_url(TEST_REDIS_URL.replace("redis://", "postgresql://", 1))
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 6379)
    proxy.start()
    yield proxy
    proxy.stop()


def assert_apologised_within_the_turn(phone: InProcessPhone, reply, newcomer) -> None:
    """The caller mid-call and a new caller both hear the apology and go to staff, every answer is a 200,
    and neither of those two turns took longer than the turn's limit."""
    assert "something went wrong" in reply.text and reply.dialled == STAFF
    assert "something went wrong" in newcomer.text and newcomer.dialled == STAFF
    assert phone.statuses == [200] * len(phone.statuses)
    assert max(phone.durations[-2:]) < TURN_LIMIT_SECONDS, phone.durations


def test_hung_redis_costs_a_caller_no_more_than_the_turn(engine, database, demo_clinics, settings_overrides,
                                                         redis_proxy, clock):
    url = TEST_REDIS_URL.replace(f":{make_url(TEST_REDIS_URL.replace('redis://', 'postgresql://', 1)).port}",
                                 f":{redis_proxy.port}", 1)
    sessions = RedisCallSessionStore(make_redis(url))
    app = create_all_in_one({**settings_overrides, **TURN, "redis_url": url}, engine=engine, session_store=sessions,
                            sms_sender=LocalOutboxSender(io.StringIO()), clock=clock)
    phone = InProcessPhone(app)
    call = phone.call()
    call.start()
    call.answer(digits="1")

    redis_proxy.hang()
    reply = call.answer(digits="1")
    newcomer = phone.call("+16175550124").start()
    assert_apologised_within_the_turn(phone, reply, newcomer)


def test_hung_postgres_costs_a_caller_no_more_than_the_turn(database, demo_clinics, settings_overrides, redis_client,
                                                            postgres_proxy, clock):
    url = proxied(TEST_DATABASE_URL, postgres_proxy.port)
    engine = make_engine(url)
    app = create_all_in_one({**settings_overrides, **TURN, "database_url": url}, engine=engine,
                            session_store=RedisCallSessionStore(redis_client),
                            sms_sender=LocalOutboxSender(io.StringIO()),
                            clock=clock)
    phone = InProcessPhone(app)
    call = book_through(phone, "+16175550126", hour=10)

    postgres_proxy.hang()
    reply = call.answer(digits="1")
    newcomer = phone.call("+16175550127").start()
    assert_apologised_within_the_turn(phone, reply, newcomer)
    postgres_proxy.unhang()
    engine.dispose()
