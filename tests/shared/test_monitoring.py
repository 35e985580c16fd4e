"""What operators see is true: every metric an alert or a dashboard panel names is exported, the
business metrics move when the things they count happen, carry no patient data, and one scrape of a
pod adds up all its gunicorn workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from services.calendly.calendly_api import CircuitBreaker as CalendlyBreaker
from services.tts.synthesis import CircuitBreaker as ElevenLabsBreaker
from tools import monitoring

ROOT = Path(__file__).resolve().parents[2]
PROMQL_WORDS = {"by", "without", "and", "or", "unless", "on", "ignoring", "group_left", "group_right", "bool",
                "offset", "inf", "nan"}


def names_in(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (not functions, keywords, labels or strings)."""
    expr = re.sub(r'"[^"]*"', "", expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping label lists
    tokens = re.finditer(r"([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", expr)
    return {m.group(1) for m in tokens if not m.group(2) and m.group(1) not in PROMQL_WORDS}


def exported_names(text: str) -> set[str]:
    """The series names a scrape offers: each family's samples, and for histograms all three."""
    names = set()
    for family in text_string_to_metric_families(text):
        names |= {sample.name for sample in family.samples}
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names |= {f"{family.name}_{suffix}" for suffix in ("bucket", "sum", "count")}
        else:
            names.add(family.name)
    return names


def scrape(system) -> str:
    response = system.http.get("/metrics")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a scrape (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for item in family.samples:
            if item.name == name and all(item.labels.get(k) == v for k, v in labels.items()):
                return item.value
    return 0.0


def test_the_parser_finds_metric_names_and_nothing_else():
    assert names_in(monitoring.OUTCOME_SHARE.format(outcome="transferred")) == {"receptionist_calls_total"}
    assert names_in('histogram_quantile(0.95, sum by (le, route) (rate(x_bucket{a="b"}[5m]))) > 1') == {"x_bucket"}
    assert names_in("max(a) / 60 or max(b) > 200") == {"a", "b"}


def test_every_metric_an_alert_or_panel_names_is_exported(system):
    named = set().union(*(names_in(expr) for expr in monitoring.expressions()))
    assert len(named) >= 9
    missing = named - exported_names(scrape(system))
    assert not missing, f"alerts or panels name metrics nobody exports: {sorted(missing)}"


def test_a_finished_call_counts_its_outcome_under_the_clinic_id(system):
    before = scrape(system)
    call = system.phone()
    call.start()
    call.hang_up()
    after = scrape(system)
    assert sample(after, "receptionist_calls_total", outcome="hung_up", clinic="1") == \
        sample(before, "receptionist_calls_total", outcome="hung_up", clinic="1") + 1
    assert sample(after, "receptionist_turn_duration_seconds_count", route="/voice") > \
        sample(before, "receptionist_turn_duration_seconds_count", route="/voice")
    assert "+1617" not in after and call.call_sid not in after, "no caller numbers or call ids in metrics"


def test_a_bad_webhook_signature_is_counted_by_route(system):
    before = sample(scrape(system), "receptionist_webhook_signature_failures_total", route="/voice")
    response = system.http.post("/voice", data={"CallSid": "CA" + "0" * 32}, headers={"X-Twilio-Signature": "forged"})
    assert response.status_code == 403
    after = sample(scrape(system), "receptionist_webhook_signature_failures_total", route="/voice")
    assert after == before + 1


def test_texts_are_counted_in_each_state_they_enter(system):
    before = scrape(system)
    response = system.internal("POST", "/messaging/sms", json={
        "idempotency_key": "metrics-test-0001", "kind": "booking_confirmation", "to": "+16175550123",
        "first_name": "Jane", "clinic_name": "Riverside Family Clinic", "doctor_name": "Dr. Sarah Chen",
        "starts_at": "2030-01-08T15:00:00+00:00", "timezone": "America/New_York"})
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)
    after = scrape(system)
    assert sample(after, "receptionist_sms_status_changes_total", status="pending") == \
        sample(before, "receptionist_sms_status_changes_total", status="pending") + 1
    assert "+1617" not in after and "Jane" not in after


def test_schedule_documents_and_the_calendly_queue_are_read_at_scrape_time(system):
    text = scrape(system)
    assert sample(text, "receptionist_schedule_documents", status="parsed") >= 2, "the demo clinics' PDFs"
    assert sample(text, "receptionist_calendly_sync_queue_depth") == 0
    assert sample(text, "receptionist_calendly_sync_oldest_age_seconds") == 0


@pytest.mark.parametrize("breaker, vendor", [
    (lambda clock: CalendlyBreaker(threshold=2, reset_seconds=30, clock=clock), "calendly"),
    (lambda clock: ElevenLabsBreaker(2, 30, clock), "elevenlabs"),
])
def test_breaker_state_is_exported_per_vendor(system, breaker, vendor):
    now = [100.0]
    circuit = breaker(lambda: now[0])
    circuit.record_failure()
    assert sample(scrape(system), "receptionist_circuit_breaker_open", vendor=vendor) == 0
    circuit.record_failure()
    assert sample(scrape(system), "receptionist_circuit_breaker_open", vendor=vendor) == 1
    now[0] += 60  # the trial call is allowed, but the breaker counts as open until a call succeeds
    assert sample(scrape(system), "receptionist_circuit_breaker_open", vendor=vendor) == 1
    circuit.record_success()
    assert sample(scrape(system), "receptionist_circuit_breaker_open", vendor=vendor) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_one_scrape_adds_up_every_gunicorn_worker(tmp_path):
    """Two workers behind the container's gunicorn settings: whichever answers the scrape, it counts
    the requests both served; the folder holds files of both worker processes."""
    folder, port = tmp_path / "prometheus", _free_port()
    env = {**os.environ, "SERVICE": "receptionist_agent", "PORT": str(port), "WEB_CONCURRENCY": "2",
           "WEB_THREADS": "2", "PROMETHEUS_MULTIPROC_DIR": str(folder), "LOG_LEVEL": "warning",
           "ENVIRONMENT": "test"}
    config = ROOT / "docker" / "gunicorn.conf.py"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(config), "--worker-tmp-dir", str(tmp_path),
         "--bind", f"127.0.0.1:{port}", "services.wsgi:create_wsgi_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                # A read given up on would still be counted by the server, so only refused connections retry.
                requests.get(f"{base}/healthz", timeout=(5, 60))
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        served = 1
        while len({p.name.rsplit("_", 1)[-1] for p in folder.glob("counter_*.db")}) < 2 or served < 60:
            requests.get(f"{base}/healthz", headers={"Connection": "close"}, timeout=10)
            served += 1
            assert served < 2000, "the second worker never served a request"
        for _ in range(4):  # several scrapes, answered by either worker
            text = requests.get(f"{base}/metrics", timeout=10).text
            assert sample(text, "http_requests_total", route="/healthz", status="200") == served
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
