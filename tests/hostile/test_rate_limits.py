"""Per-caller and per-clinic limits on new calls to /voice: a polite goodbye past the limit, nothing
recorded for refused calls, retries of one CallSid never counted twice, windows that reset, the same
behaviour with the embedded counters of local mode, and calls let through when Redis fails."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.messaging.senders import LocalOutboxSender
from services.twilio_handler.rate_limit import EmbeddedCallRateLimiter, RedisCallRateLimiter
from shared.sessions import RedisCallSessionStore, make_redis
from tests.conftest import HARBOR_NUMBER, RIVERSIDE_NUMBER, SystemUnderTest
from tests.hostile.test_replays import replay


@pytest.fixture
def limited_system(engine, database, demo_clinics, redis_client, settings_overrides):
    """The whole system with small limits: 3 calls per caller and 5 per clinic per minute."""
    overrides = {**settings_overrides, "voice_rate_limit_per_caller": 3, "voice_rate_limit_per_clinic": 5}
    sessions = RedisCallSessionStore(redis_client)
    app = create_all_in_one(overrides, engine=engine, session_store=sessions, sms_sender=LocalOutboxSender(io.StringIO()))
    return SystemUnderTest(app=app, http=Client(app), outbox=io.StringIO(),
                           sessions=sessions)


def calls_recorded(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM calls")).scalar()


def test_a_caller_past_the_limit_hears_a_polite_goodbye(limited_system, engine):
    replies = [limited_system.phone(caller="+16175550111").start() for _ in range(4)]
    assert all("Riverside Family Clinic" in reply.text and reply.gather for reply in replies[:3])
    refused = replies[3]
    assert refused.hung_up and refused.gather is None
    assert "several calls from your number" in refused.text and "try again" in refused.text
    assert calls_recorded(engine) == 3
    assert limited_system.phone(caller="+16175550112").start().gather is not None


def test_a_clinic_past_the_limit_asks_callers_to_call_back_while_others_answer(limited_system):
    replies = [limited_system.phone(caller=f"+1617555{index:04d}").start() for index in range(6)]
    assert all(reply.gather for reply in replies[:5])
    assert replies[5].hung_up and "unusually high number of calls" in replies[5].text
    assert limited_system.phone(to=HARBOR_NUMBER, caller="+16175550199").start().gather is not None


def test_twilio_retrying_one_call_is_not_counted_again(limited_system):
    call = limited_system.phone(caller="+16175550113")
    call.start()
    for _ in range(5):
        response = replay(limited_system, call, "/voice", {})
        assert b"<Gather" in response.data
    assert limited_system.phone(caller="+16175550113").start().gather is not None


def test_callers_without_a_caller_id_share_only_the_clinic_limit(limited_system):
    replies = [limited_system.phone(caller="anonymous").start() for _ in range(5)]
    assert all(reply.gather for reply in replies)


def test_redis_counters_reset_with_the_window(redis_client):
    now = [1_000_000.0]
    limiter = RedisCallRateLimiter(redis_client, 2, 0, 60, clock=lambda: now[0])
    assert [limiter.over_limit(f"CA{index}", "+16175550100", 1) for index in range(3)] == [None, None, "caller"]
    now[0] += 60
    assert limiter.over_limit("CA9", "+16175550100", 1) is None


def test_embedded_counters_limit_like_redis_ones():
    now = [1_000_000.0]
    limiter = EmbeddedCallRateLimiter(2, 3, 60, clock=lambda: now[0])
    results = [limiter.over_limit(f"CA{index}", "+16175550100", 1) for index in range(3)]
    assert results == [None, None, "caller"]
    assert limiter.over_limit("CA2", "+16175550100", 1) is None  # a retry of a counted call
    assert limiter.over_limit("CA3", "+16175550101", 1) == "clinic"
    now[0] += 60
    assert limiter.over_limit("CA4", "+16175550101", 1) is None


def test_local_mode_limits_calls_with_embedded_counters(tmp_path):
    from services.knowledge_base.service import load_demo_clinics
    from shared.db import make_engine, make_session_factory, migrate
    from shared.storage import LocalObjectStore

    url = f"sqlite:///{tmp_path}/local.db"
    migrate(url)
    engine = make_engine(url)
    load_demo_clinics(db=make_session_factory(engine), objects=LocalObjectStore(tmp_path / "objects"))
    app = create_all_in_one({"database_url": url, "local_data_dir": str(tmp_path), "voice_rate_limit_per_caller": 1},
                            engine=engine, sms_sender=LocalOutboxSender(io.StringIO()))
    system = SystemUnderTest(app=app, http=Client(app), outbox=io.StringIO(), sessions=None)
    assert system.phone(to=RIVERSIDE_NUMBER).start().gather is not None
    assert system.phone(to=RIVERSIDE_NUMBER).start().hung_up


def test_calls_are_let_through_when_redis_fails():
    limiter = RedisCallRateLimiter(make_redis("redis://127.0.0.1:1/0"), 1, 1, 60)
    assert [limiter.over_limit(f"CA{index}", "+16175550100", 1) for index in range(3)] == [None, None, None]
