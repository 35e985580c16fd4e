"""The TTL cache behind clinic lookups and reusable tts answers: values (None included) live for their
TTL, a per-item TTL never outlives the cache's own, a TTL of 0 keeps nothing, a full cache drops its
least recently used entry, and hits, misses and evictions are Prometheus counters per cache."""

from __future__ import annotations

from prometheus_client import REGISTRY

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


def _count(metric: str, cache: str) -> float:
    return REGISTRY.get_sample_value(metric, {"cache": cache}) or 0.0


def test_a_full_cache_drops_the_least_recently_used_entry_not_everything():
    cache = TTLCache(300, max_items=3, name="test_lru")
    for key in ("a", "b", "c"):
        cache.put(key, key.upper())
    assert cache.get("a") == "A"  # now the most recently used: "b" is the oldest
    cache.put("d", "D")
    assert len(cache) == 3
    assert cache.get("b") is None
    assert [cache.get(key) for key in ("a", "c", "d")] == ["A", "C", "D"]


def test_replacing_a_value_evicts_nothing():
    cache = TTLCache(300, max_items=2, name="test_replace")
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 3)
    assert (cache.get("a"), cache.get("b"), len(cache)) == (3, 2, 2)


def test_hits_misses_and_evictions_are_counted_per_cache_name():
    now = [0.0]
    cache = TTLCache(60, max_items=2, clock=lambda: now[0], name="test_counts")
    before = {metric: _count(metric, "test_counts")
              for metric in ("cache_hits_total", "cache_misses_total", "cache_evictions_total")}
    cache.get_or_load("a", lambda: 1)  # miss, then kept
    cache.get_or_load("a", lambda: 2)  # hit
    cache.put("b", 2)
    cache.put("c", 3)  # evicts "a"
    cache.get("a")  # miss
    now[0] = 61.0
    assert cache.get("b") is None  # expired: a miss, and gone
    assert len(cache) == 1
    assert {metric: _count(metric, "test_counts") - value for metric, value in before.items()} == {
        "cache_hits_total": 1.0, "cache_misses_total": 3.0, "cache_evictions_total": 1.0}


def test_cache_metrics_are_exported_at_metrics(system):
    assert system.internal("GET", "/calendly/availability", query_string={"doctor_id": 1}).status_code == 200
    exposition = system.http.get("/metrics").get_data(as_text=True)
    assert 'cache_misses_total{cache="calendly_doctors"}' in exposition
    assert 'cache_hits_total{cache="calendly_doctors"}' in exposition
