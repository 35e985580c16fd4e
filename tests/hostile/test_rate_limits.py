"""Limits on new calls to /voice: every caller has one (whatever `From` says, except Twilio's shared
withheld placeholder), an attested caller ID cannot be locked out by spoofers using it, windows slide,
a flood sheds only its suspicious share while genuine callers keep booking, replays past Twilio's
retries are refused, the embedded counters of local mode behave the same, and calls are let through
when Redis fails."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.messaging.senders import LocalOutboxSender
from services.twilio_handler.rate_limit import Caller, CallRateLimiter, Limits, MemoryCounters, RedisCounters
from shared.sessions import RedisCallSessionStore, make_redis
from tests.conftest import HARBOR_NUMBER, RIVERSIDE_NUMBER, SystemUnderTest
from tests.hostile.test_replays import replay

PASSED_A, FAILED = "TN-Validation-Passed-A", "TN-Validation-Failed"


@pytest.fixture
def limited_system(engine, database, demo_clinics, redis_client, settings_overrides, clock):
    """The whole system with small limits: 3 calls per caller, 5 per clinic and 4 per prefix a minute."""
    overrides = {**settings_overrides, "voice_rate_limit_per_caller": 3, "voice_rate_limit_per_clinic": 5,
                 "voice_rate_limit_per_prefix": 4}
    sessions = RedisCallSessionStore(redis_client)
    app = create_all_in_one(overrides, engine=engine, session_store=sessions, clock=clock,
                            sms_sender=LocalOutboxSender(io.StringIO()))
    return SystemUnderTest(app=app, http=Client(app), outbox=io.StringIO(), sessions=sessions, clock=clock)


def dial(system, caller: str, verstat: str = "", to: str = RIVERSIDE_NUMBER):
    """Start a call, with Twilio's STIR/SHAKEN verdict when given."""
    call = system.phone(to=to, caller=caller)
    status, _, body = call.post("/voice", {"StirVerstat": verstat} if verstat else {})
    assert status == 200
    return call, body


def answered(body: str) -> bool:
    return "<Gather" in body


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


@pytest.mark.parametrize("caller", ["client:alice", "", "sip:x@example.com"])
def test_callers_without_a_number_have_a_limit_too(limited_system, caller):
    bodies = [dial(limited_system, caller)[1] for _ in range(4)]
    assert [answered(body) for body in bodies] == [True, True, True, False]


def test_withheld_callers_do_not_share_one_bucket(limited_system):
    bodies = [dial(limited_system, "+266696687")[1] for _ in range(5)]
    assert all(answered(body) for body in bodies)


def test_a_spoofer_cannot_lock_a_patient_out(limited_system):
    patient = "+16175550123"
    spoofed = [dial(limited_system, patient, FAILED)[1] for _ in range(4)]
    assert not answered(spoofed[-1])
    _, body = dial(limited_system, patient, PASSED_A)
    assert answered(body), "the patient's own attested calls have their own limit"


def test_a_flood_sheds_the_suspicious_share_while_genuine_callers_book(limited_system, engine):
    """Past the clinic's normal volume, spoofed and withheld callers and bursts from one prefix are
    refused; attested callers and calls already going on carry on and book."""
    genuine = [limited_system.phone(caller=f"+1212555{index:04d}") for index in range(3)]
    for call in genuine:
        call.post("/voice", {"StirVerstat": PASSED_A})
        call.pending_action = "/process-selection"
    floods = [(f"+1617555{index:04d}", FAILED) for index in range(30)] + [("+266696687", "")] * 10
    with ThreadPoolExecutor(max_workers=8) as pool:
        flood_bodies = list(pool.map(lambda args: dial(limited_system, *args)[1], floods))
    assert sum(answered(body) for body in flood_bodies) <= 6
    for index, call in enumerate(genuine):
        call.answer(speech=f"book me with Dr. Chen on Wednesday at {9 + index}am, this is Pat Lee")
        call.answer(speech="12 Main Street, Boston")
        assert "You're booked" in call.answer(digits="1").text
    latecomer, body = dial(limited_system, "+13125550100", PASSED_A)
    assert answered(body), "a new attested caller is still taken during the flood"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM appointments WHERE status = 'booked'")).scalar() == 3


def test_far_past_normal_only_attested_callers_are_taken(limited_system):
    for index in range(21):
        dial(limited_system, f"+1{index % 9 + 2}0155500{index:02d}", "")
    assert not answered(dial(limited_system, "+13035550100", "")[1])
    assert answered(dial(limited_system, "+13035550101", PASSED_A)[1])


def test_twilio_retries_are_answered_and_a_replay_past_them_refused(limited_system):
    call = limited_system.phone(caller="+16175550113")
    call.start()
    for _ in range(3):
        assert b"<Gather" in replay(limited_system, call, "/voice", {}).data
    assert b"<Gather" not in replay(limited_system, call, "/voice", {}).data
    assert limited_system.phone(caller="+16175550113").start().gather is not None


def test_other_clinics_are_not_affected(limited_system):
    for index in range(6):
        dial(limited_system, f"+1617555{index:04d}", FAILED)
    _, body = dial(limited_system, "+16175550199", FAILED, to=HARBOR_NUMBER)
    assert answered(body)


def test_windows_slide_so_a_boundary_does_not_double_the_limit(redis_client):
    now = [1_000_000.0 - 5]  # five seconds before a window boundary
    limiter = CallRateLimiter(RedisCounters(redis_client, 60), Limits(3, 0, 0, 60), clock=lambda: now[0])
    results = [limiter.refuse(Caller(f"CA{index}", "+16175550100"), 1) for index in range(3)]
    now[0] += 10  # just after the boundary: the last window still counts almost fully
    results.append(limiter.refuse(Caller("CA3", "+16175550100"), 1))
    assert results == [None, None, None, "caller"]
    now[0] += 60
    assert limiter.refuse(Caller("CA4", "+16175550100"), 1) is None


def test_memory_counters_limit_like_redis_ones():
    now = [1_000_000.0]
    limiter = CallRateLimiter(MemoryCounters(60), Limits(2, 3, 0, 60), clock=lambda: now[0])
    results = [limiter.refuse(Caller(f"CA{index}", "+16175550100", FAILED), 1) for index in range(3)]
    assert results == [None, None, "caller"]
    assert limiter.refuse(Caller("CA2", "+16175550100"), 1) is None  # a retry of a counted call
    assert limiter.refuse(Caller("CA5", "+16175550101", FAILED), 1) == "clinic"
    assert limiter.refuse(Caller("CA6", "+16175550102", PASSED_A), 1) is None
    now[0] += 120
    assert limiter.refuse(Caller("CA7", "+16175550101", FAILED), 1) is None


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
    limiter = CallRateLimiter(RedisCounters(make_redis("redis://127.0.0.1:1/0"), 60), Limits(1, 1, 1, 60))
    assert [limiter.refuse(Caller(f"CA{index}", "+16175550100"), 1) for index in range(3)] == [None, None, None]
