"""The load test's yardsticks in isolation: the floor draws whole hops whose mean is the system's hops
per turn, and the timeline and its plot summarise a run by interval."""

from __future__ import annotations

import random

from tools.loadtest.floor import hops_for_turn
from tools.loadtest.plot import plot_timeline
from tools.loadtest.timeline import timeline


def test_the_floor_makes_the_mean_number_of_hops():
    rng = random.Random(7)
    draws = [hops_for_turn(2.3, rng) for _ in range(20_000)]
    assert set(draws) == {2, 3}
    assert abs(sum(draws) / len(draws) - 2.3) < 0.02
    assert {hops_for_turn(3.0, rng) for _ in range(100)} == {3}


def test_timeline_counts_turns_per_second_and_p99_per_interval(tmp_path):
    log = [(0.5, 10.0, False)] * 99 + [(1.0, 900.0, True)] + [(6.0, 20.0, False)] * 10
    [first, second] = timeline(log, step=5)
    assert first == {"t": 0, "turns_per_second": 20.0, "p99_ms": 900.0, "failed": 1}
    assert second == {"t": 5, "turns_per_second": 2.0, "p99_ms": 20.0, "failed": 0}
    picture = plot_timeline([first, second], tmp_path / "plot.png", "two intervals", p99_target_ms=250)
    assert picture.read_bytes().startswith(b"\x89PNG")
