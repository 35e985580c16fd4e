"""The TTL cache behind clinic lookups and reusable tts answers: values (None included) live for their
TTL, a per-item TTL never outlives the cache's own, and a TTL of 0 keeps nothing."""

from __future__ import annotations

from shared.cache import TTLCache


def test_loaded_values_including_none_are_kept_until_they_expire():
    now = [0.0]
    cache = TTLCache(60, clock=lambda: now[0])
    loads: list[str] = []

    def load_unknown_number():
        loads.append("kb")
        return None

    assert cache.get_or_load(("number", "+15550000000"), load_unknown_number) is None
    now[0] = 59.0
    assert cache.get_or_load(("number", "+15550000000"), load_unknown_number) is None
    assert loads == ["kb"]
    now[0] = 61.0
    cache.get_or_load(("number", "+15550000000"), load_unknown_number)
    assert loads == ["kb", "kb"]


def test_a_per_item_ttl_is_capped_by_the_cache_ttl():
    now = [0.0]
    cache = TTLCache(300, clock=lambda: now[0])
    cache.put("short", "a", 10)
    cache.put("long", "b", 10_000)
    now[0] = 11.0
    assert cache.get("short") is None and cache.get("long") == "b"
    now[0] = 301.0
    assert cache.get("long", "gone") == "gone"


def test_zero_ttl_keeps_nothing():
    cache = TTLCache(0)
    cache.put("key", "value")
    calls = []
    cache.get_or_load("key", lambda: calls.append(1))
    cache.get_or_load("key", lambda: calls.append(1))
    assert cache.get("key") is None and calls == [1, 1]
