"""What operators watch, in one place: the Prometheus alerts and the Grafana dashboard panels, both
written as PromQL over the metrics the services export (shared/metrics.py and the services' own).

`python -m tools.k8s_manifests` renders them into k8s/base/monitoring.yaml (ServiceMonitor,
PodMonitor, PrometheusRule, dashboard ConfigMap) and docs/grafana-dashboard.json (to import by hand);
tests/shared/test_monitoring.py checks that every metric named here is exported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Alert:
    """One Prometheus alerting rule."""

    name: str
    expr: str
    for_: str
    severity: str
    summary: str
    description: str

    def rule(self) -> dict:
        """The rule as a PrometheusRule entry."""
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.for_,
            "labels": {"severity": self.severity, "team": "receptionist"},
            "annotations": {"summary": self.summary, "description": self.description,
                            "runbook": "docs/operations.md, section Alerts"},
        }


@dataclass(frozen=True)
class Panel:
    """One time-series panel: a title, a unit and its queries (legend per query)."""

    title: str
    unit: str
    queries: tuple[tuple[str, str], ...]
    description: str = ""


# Normal days: most calls book, cancel, reschedule or ask; transfers and hang-ups are a minority.
# Half of a clinic's calls (at least 10 in the hour) ending in one of them means something is wrong.
OUTCOME_SHARE = (
    'sum by (clinic) (increase(receptionist_calls_total{{outcome="{outcome}"}}[1h]))'
    " / sum by (clinic) (increase(receptionist_calls_total[1h])) > 0.5"
    " and sum by (clinic) (increase(receptionist_calls_total[1h])) >= 10"
)
TEXTS_FAILED = 'sum(increase(receptionist_sms_status_changes_total{status=~"failed|undelivered"}[30m]))'

ALERTS: tuple[Alert, ...] = (
    Alert(
        "ReceptionistHigh5xxRate",
        'sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))'
        " / sum by (service) (rate(http_requests_total[5m])) > 0.01",
        "5m", "page", "{{ $labels.service }} answers more than 1% of requests with 5xx",
        "Look at the service's logs and recent deploys; roll back if a release started it.",
    ),
    Alert(
        "ReceptionistSlowTwilioWebhooks",
        "histogram_quantile(0.95, sum by (le) (rate(receptionist_turn_duration_seconds_bucket[5m]))) > 1",
        "5m", "page", "Callers wait: Twilio webhook p95 above 1 s",
        "The design's alarm. Check which route is slow on the dashboard, then its dependencies "
        "(Postgres, Redis, the services it calls) and whether the HPAs are at their maximum.",
    ),
    Alert(
        "ReceptionistCircuitBreakerOpen",
        "max by (vendor) (receptionist_circuit_breaker_open) == 1",
        "5m", "page", "The circuit breaker to {{ $labels.vendor }} has been open for 5 minutes",
        "Calls still work (Calendly: local availability; ElevenLabs: <Say>), but the vendor is failing. "
        "Check the vendor's status page and the service logs.",
    ),
    Alert(
        "ReceptionistTextsFailing",
        f"{TEXTS_FAILED} > 3 and {TEXTS_FAILED}"
        ' / sum(increase(receptionist_sms_status_changes_total{status="pending"}[30m])) > 0.1',
        "10m", "page", "More than 10% of texts failed or went undelivered in the last 30 minutes",
        "messaging and messaging-worker logs name the Twilio error codes; check the Twilio console.",
    ),
    Alert(
        "ReceptionistCalendlySyncBacklog",
        "max(receptionist_calendly_sync_oldest_age_seconds) > 1800"
        " or max(receptionist_calendly_sync_queue_depth) > 200",
        "15m", "ticket", "Bookings wait to reach Calendly (oldest over 30 minutes or more than 200 waiting)",
        "Calendly rate limits or an outage; calendly-sync logs. Phone bookings are safe in our database.",
    ),
    Alert(
        "ReceptionistTransfersAboveHalf",
        OUTCOME_SHARE.format(outcome="transferred"),
        "15m", "ticket", "Clinic {{ $labels.clinic }}: more than half of the calls end with a transfer to staff",
        "Callers give up on the menu or flows fail into the staff hand-off; listen to a few calls' steps "
        "(GET /twilio/calls) and check the logs for apologies.",
    ),
    Alert(
        "ReceptionistHangUpsAboveHalf",
        OUTCOME_SHARE.format(outcome="hung_up"),
        "15m", "ticket", "Clinic {{ $labels.clinic }}: more than half of the calls end with the caller hanging up",
        "Callers hang up mid-flow: slow answers, a broken prompt or a wrong number on the clinic.",
    ),
)

PANELS: tuple[Panel, ...] = (
    Panel("Calls ended by outcome (per hour)", "short",
          (("sum by (outcome) (increase(receptionist_calls_total[1h]))", "{{outcome}}"),)),
    Panel("Share of calls transferred to staff, by clinic", "percentunit",
          (('sum by (clinic) (increase(receptionist_calls_total{outcome="transferred"}[1h]))'
            " / sum by (clinic) (increase(receptionist_calls_total[1h]))", "clinic {{clinic}}"),)),
    Panel("Twilio webhook latency by route (p95)", "s",
          (("histogram_quantile(0.95, sum by (le, route) (rate(receptionist_turn_duration_seconds_bucket[5m])))",
            "{{route}}"),), "The design's alarm is at 1 s; Twilio gives up at 15 s."),
    Panel("Twilio webhook latency, all routes", "s",
          tuple((f"histogram_quantile({q}, sum by (le) (rate(receptionist_turn_duration_seconds_bucket[5m])))",
                 f"p{label}")
                for q, label in (("0.5", "50"), ("0.95", "95"), ("0.99", "99")))),
    Panel("Requests per second by service", "reqps",
          (("sum by (service) (rate(http_requests_total[5m]))", "{{service}}"),)),
    Panel("5xx share by service", "percentunit",
          (('sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))'
            ' / sum by (service) (rate(http_requests_total[5m]))',
            "{{service}}"),)),
    Panel("Texts entering each state (per hour)", "short",
          (("sum by (status) (increase(receptionist_sms_status_changes_total[1h]))", "{{status}}"),)),
    Panel("TTS cache hit ratio", "percentunit",
          (('sum(rate(receptionist_tts_cache_lookups_total{result="hit"}[5m]))'
            ' / sum(rate(receptionist_tts_cache_lookups_total[5m]))',
            "hits"),)),
    Panel("Circuit breakers open", "short", (("max by (vendor) (receptionist_circuit_breaker_open)", "{{vendor}}"),)),
    Panel("Calendly sync queue", "short",
          (("max(receptionist_calendly_sync_queue_depth)", "waiting"),
           ("max(receptionist_calendly_sync_oldest_age_seconds) / 60", "oldest (minutes)"))),
    Panel("Webhook signature failures (per hour)", "short",
          (("sum by (route) (increase(receptionist_webhook_signature_failures_total[1h]))", "{{route}}"),)),
    Panel("Schedule documents by status", "short",
          (("max by (status) (receptionist_schedule_documents)", "{{status}}"),)),
)


def expressions() -> list[str]:
    """Every PromQL expression of the alerts and the panels."""
    return [alert.expr for alert in ALERTS] + [query for panel in PANELS for query, _ in panel.queries]


def prometheus_rule(metadata: dict) -> dict:
    """The PrometheusRule (Prometheus Operator) holding every alert."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": {"groups": [{"name": "receptionist", "rules": [alert.rule() for alert in ALERTS]}]},
    }


def dashboard() -> dict:
    """The Grafana dashboard (schema 39), two panels a row, on the Prometheus data source chosen at import."""
    panels = []
    for index, panel in enumerate(PANELS):
        panels.append({
            "id": index + 1,
            "type": "timeseries",
            "title": panel.title,
            "description": panel.description,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
            "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}},
            "targets": [
                {"refId": chr(ord("A") + position), "expr": query, "legendFormat": legend,
                 "datasource": {"type": "prometheus", "uid": "${datasource}"}}
                for position, (query, legend) in enumerate(panel.queries)
            ],
        })
    return {
        "uid": "receptionist-overview",
        "title": "Receptionist: calls, turns, texts and vendors",
        "tags": ["receptionist"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{
            "name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
        }]},
        "panels": panels,
    }


def dashboard_json() -> str:
    """The dashboard as the JSON text Grafana imports."""
    return json.dumps(dashboard(), indent=2) + "\n"
