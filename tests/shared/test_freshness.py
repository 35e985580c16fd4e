"""FreshCache: a cached clinic or doctor is reloaded as soon as knowledge_base says its clinic's
schedule changed (checked at most once per freshness interval), other clinics stay cached, and an
unreachable knowledge_base leaves the cache serving what it holds."""

from __future__ import annotations

from types import SimpleNamespace

from shared.freshness import FreshCache
from shared.service_client import ServiceCallError


class FakeKnowledgeBase:
    """Answers GET /kb/schedule-versions like knowledge_base; counts the questions."""

    def __init__(self):
        self.settings = SimpleNamespace(schedule_freshness_seconds=2.0)
        self.versions = {"riverside": 3, "harbor": 5}
        self.asked = 0
        self.down = False

    def get(self, service: str, path: str, **params):
        assert (service, path) == ("knowledge_base", "/kb/schedule-versions")
        self.asked += 1
        if self.down:
            raise ServiceCallError(service, path, None, "ConnectionError")
        newer = {slug: version for slug, version in self.versions.items() if version > params["after"]}
        return {"latest": max([params["after"], *newer.values()]), "clinics": newer}


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def build(ttl: float = 300.0) -> tuple[FakeKnowledgeBase, Clock, FreshCache, dict[str, int]]:
    kb, clock = FakeKnowledgeBase(), Clock()
    cache = FreshCache(kb, ttl, lambda slug, _: slug, clock=clock)
    cache.versions.clock = clock
    loads = {"riverside": 0, "harbor": 0}
    return kb, clock, cache, loads


def lookup(cache: FreshCache, loads: dict[str, int], slug: str, **options) -> str:
    def load() -> str:
        loads[slug] += 1
        return f"{slug} #{loads[slug]}"

    return cache.get_or_load(slug, load, **options)


def test_a_changed_clinic_is_reloaded_within_the_interval_and_the_others_stay_cached():
    kb, clock, cache, loads = build()
    assert lookup(cache, loads, "riverside") == "riverside #1"
    assert lookup(cache, loads, "harbor") == "harbor #1"
    kb.versions["riverside"] = 9  # a schedule applied at Riverside
    clock.now += 1.0
    assert lookup(cache, loads, "riverside") == "riverside #1"  # not asked again yet
    clock.now += 1.0
    assert lookup(cache, loads, "riverside") == "riverside #2"
    assert lookup(cache, loads, "harbor") == "harbor #1"
    assert kb.asked == 2


def test_the_version_is_asked_at_most_once_per_interval_however_many_lookups():
    kb, clock, cache, loads = build()
    for _ in range(50):
        lookup(cache, loads, "riverside")
        clock.now += 0.25
    assert kb.asked == 7 and loads["riverside"] == 1  # 12.5 s of lookups, one question per 2 s


def test_revalidate_asks_at_once():
    kb, clock, cache, loads = build()
    lookup(cache, loads, "riverside")
    kb.versions["riverside"] = 9
    assert lookup(cache, loads, "riverside", revalidate=True) == "riverside #2"


def test_an_unreachable_knowledge_base_leaves_cached_values_served():
    kb, clock, cache, loads = build()
    lookup(cache, loads, "riverside")
    kb.down = True
    clock.now += 5
    assert lookup(cache, loads, "riverside") == "riverside #1"
    kb.down = False
    kb.versions["riverside"] = 9
    clock.now += 5
    assert lookup(cache, loads, "riverside") == "riverside #2"


def test_the_ttl_still_applies_and_entries_without_a_clinic_follow_it_alone():
    kb, clock, cache, loads = build(ttl=60)
    lookup(cache, loads, "riverside")
    clock.now += 61
    assert lookup(cache, loads, "riverside") == "riverside #2"
    unknown = FreshCache(kb, 60, lambda _, value: None, clock=clock)
    assert unknown.get_or_load("+15550000000", lambda: None) is None
    assert unknown.get_or_load("+15550000000", lambda: "loaded") is None  # "no clinic" is cached too
