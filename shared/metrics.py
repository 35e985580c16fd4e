"""Prometheus metrics: what every service records (requests, Twilio turns, signature failures, calls,
circuit breakers) and the /metrics exposition, which adds up every gunicorn worker of the pod.

Names follow Prometheus conventions (base units, `_total` for counters); labels never carry patient
data: routes are the route table's patterns, clinics their numeric id. A service whose state lives in
its tables (a queue's depth, documents by status) registers a state reader, asked at scrape time.

Multiprocess mode: with PROMETHEUS_MULTIPROC_DIR set (docker/gunicorn.conf.py empties it at start and
removes an exited worker's live gauges), each worker writes its samples to that folder and a scrape,
whichever worker answers it, reads them all. Background workers serve the same exposition on
METRICS_PORT (`serve_worker_metrics`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.metrics_core import Metric

log = logging.getLogger(__name__)

StateReader = Callable[[], Iterable[Metric]]
# The `_created` series double every counter and no dashboard or alert here reads them.
disable_created_metrics()

REQUESTS = Counter("http_requests_total", "HTTP requests", ["service", "route", "method", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
TURN_LATENCY = Histogram(
    "receptionist_turn_duration_seconds",
    "Time to answer one Twilio webhook (a caller's turn), by route; Twilio gives up after 15 s",
    ["route"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0),
)
SIGNATURE_FAILURES = Counter(
    "receptionist_webhook_signature_failures_total",
    "Twilio and Calendly webhooks refused for a missing, wrong or stale signature, by route",
    ["route"],
)
CALLS = Counter("receptionist_calls_total", "Calls ended, by outcome and clinic id", ["clinic", "outcome"])
BREAKER_OPEN = Gauge(
    "receptionist_circuit_breaker_open",
    "1 from the moment a vendor's circuit breaker opens until a call to the vendor succeeds again",
    ["vendor"],
    multiprocess_mode="livemax",
)

_state_readers: dict[str, StateReader] = {}


def observe(service: str, route: str, method: str, status: int, seconds: float, *, twilio_turn: bool = False,
            signed_webhook: bool = False) -> None:
    """Record one finished request (and, for Twilio-facing routes, the turn; for signed webhooks a refusal)."""
    REQUESTS.labels(service, route, method, str(status)).inc()
    LATENCY.labels(service, route, method).observe(seconds)
    if twilio_turn:
        TURN_LATENCY.labels(route).observe(seconds)
    if signed_webhook and status in (401, 403):
        SIGNATURE_FAILURES.labels(route).inc()


def call_ended(*, clinic_id: int | None, outcome: str) -> None:
    """Count one call that ended with its outcome."""
    CALLS.labels(str(clinic_id), outcome).inc()


def breaker_state(vendor: str, *, is_open: bool) -> None:
    """Record whether the circuit breaker to a vendor is open."""
    BREAKER_OPEN.labels(vendor).set(1 if is_open else 0)


def register_state_reader(name: str, reader: StateReader) -> None:
    """Ask `reader` for metric families at every scrape (one reader per name; a new one replaces it)."""
    _state_readers[name] = reader


class _ScrapeCollector:
    """The samples of this pod (every worker in multiprocess mode) plus the state readers' families."""

    def collect(self) -> Iterable[Metric]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            workers = CollectorRegistry()
            multiprocess.MultiProcessCollector(workers)
            yield from workers.collect()
        else:
            yield from REGISTRY.collect()
        for name, reader in list(_state_readers.items()):
            try:
                yield from reader()
            except Exception as error:  # noqa: BLE001 - a failing reader must not hide the other metrics
                log.warning("metrics state %s unavailable: %s", name, type(error).__name__)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(_ScrapeCollector()), CONTENT_TYPE_LATEST


def serve_worker_metrics(port: int) -> None:
    """Serve /metrics on `port` from a background thread (queue workers have no web server)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ScrapeCollector())
    start_http_server(port, registry=registry)
    log.info("metrics on port %d", port)
