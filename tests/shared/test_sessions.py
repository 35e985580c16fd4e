"""One contract suite for both call-session stores: Redis (real) and the embedded store."""

from __future__ import annotations

import pytest

from shared.sessions import EmbeddedCallSessionStore, RedisCallSessionStore


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["redis", "embedded"])
def store(request):
    if request.param == "redis":
        return RedisCallSessionStore(request.getfixturevalue("redis_client"), ttl_seconds=86400)
    return EmbeddedCallSessionStore(ttl_seconds=86400)


def test_save_then_load_round_trips(store):
    store.save("CA1", {"step": "menu", "booking": {"doctor_id": 1}})
    assert store.load("CA1") == {"step": "menu", "booking": {"doctor_id": 1}}


def test_unknown_call_has_no_session(store):
    assert store.load("CA-unknown") is None


def test_stored_copy_is_independent_of_the_callers_dict(store):
    data = {"steps": ["greeting"]}
    store.save("CA2", data)
    data["steps"].append("menu")
    assert store.load("CA2") == {"steps": ["greeting"]}


def test_delete_forgets(store):
    store.save("CA3", {"a": 1})
    store.delete("CA3")
    assert store.load("CA3") is None


def test_ping(store):
    store.ping()


def test_redis_key_and_ttl(redis_client):
    RedisCallSessionStore(redis_client).save("CA4", {"a": 1})
    assert redis_client.exists("session:CA4")
    assert 86390 < redis_client.ttl("session:CA4") <= 86400


def test_redis_session_expires(redis_client):
    import time

    RedisCallSessionStore(redis_client, ttl_seconds=1).save("CA5", {"a": 1})
    time.sleep(1.2)
    assert RedisCallSessionStore(redis_client).load("CA5") is None


def test_embedded_session_expires_after_ttl():
    clock = FakeClock()
    store = EmbeddedCallSessionStore(ttl_seconds=86400, clock=clock)
    store.save("CA6", {"a": 1})
    clock.now += 86399
    assert store.load("CA6") == {"a": 1}
    store.save("CA6", {"a": 2})
    clock.now += 86399
    assert store.load("CA6") == {"a": 2}, "saving restarts the TTL"
    clock.now += 2
    assert store.load("CA6") is None
