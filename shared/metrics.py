"""Prometheus metrics: request count and latency per service and route, exposed at /metrics."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY, multiprocess

REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "route", "method", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


def observe(service: str, route: str, method: str, status: int, seconds: float) -> None:
    """Record one finished request."""
    REQUESTS.labels(service, route, method, str(status)).inc()
    LATENCY.labels(service, route, method).observe(seconds)


def render() -> tuple[bytes, str]:
    """The exposition text; aggregates gunicorn workers when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
