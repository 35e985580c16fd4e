"""A load-test phase by interval: turns per second, webhook p99 and failed turns per TIMELINE_SECONDS,
from the (seconds since the first turn, milliseconds, failed) of every turn."""

from __future__ import annotations

TIMELINE_SECONDS = 5


def p99(values: list[float]) -> float:
    """The 99th percentile (nearest rank) of some latencies; 0 for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0


def timeline(log: list[tuple[float, float, bool]], step: float = TIMELINE_SECONDS) -> list[dict]:
    """Turns per second, p99 and failures in each `step` seconds of the run."""
    buckets: dict[int, list[tuple[float, bool]]] = {}
    for offset, elapsed_ms, failed in log:
        buckets.setdefault(int(offset // step), []).append((elapsed_ms, failed))
    return [{"t": index * step, "turns_per_second": len(items) / step, "p99_ms": p99([ms for ms, _ in items]),
             "failed": sum(failed for _, failed in items)} for index, items in sorted(buckets.items())]
