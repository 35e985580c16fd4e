"""Prometheus can reach and find every pod that has metrics: the ServiceMonitor selects the web
Services, the PodMonitor the workers' metrics port, the NetworkPolicies let the monitoring namespace's
Prometheus in on exactly those ports, web pods gather their gunicorn workers in an in-memory folder,
and the alerts and the dashboard are shipped."""

from __future__ import annotations

import json

import pytest

from shared.routes import SERVICES, dashed
from tests.infra.conftest import OVERLAYS, objects_of
from tools import k8s_manifests, monitoring


def _selected(selector: dict, obj: dict) -> bool:
    return selector["matchLabels"].items() <= obj["metadata"].get("labels", {}).items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_service_monitor_scrapes_every_web_service_on_its_named_port(rendered, overlay):
    [monitor] = objects_of(rendered[overlay], "ServiceMonitor").values()
    services = objects_of(rendered[overlay], "Service")
    selected = {name for name, service in services.items() if _selected(monitor["spec"]["selector"], service)}
    assert selected == {dashed(s) for s in SERVICES}
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    assert all(endpoint["port"] in {p["name"] for p in services[name]["spec"]["ports"]} for name in selected)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_pod_monitor_scrapes_every_worker_deployment(rendered, overlay):
    [monitor] = objects_of(rendered[overlay], "PodMonitor").values()
    workers = {name: d for name, d in objects_of(rendered[overlay], "Deployment").items()
               if d["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"}
    assert workers, "the queue workers are Deployments"
    port = monitor["spec"]["podMetricsEndpoints"][0]["port"]
    for name, deployment in workers.items():
        template = deployment["spec"]["template"]
        assert _selected(monitor["spec"]["selector"], template), name
        container = template["spec"]["containers"][0]
        [declared] = [p for p in container["ports"] if p["name"] == port]
        env = {item["name"]: item.get("value") for item in container["env"]}
        assert env["METRICS_PORT"] == str(declared["containerPort"]), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_may_reach_exactly_the_scraped_ports(rendered, overlay):
    policies = objects_of(rendered[overlay], "NetworkPolicy")
    for workload in k8s_manifests.WORKLOADS:
        rules = [rule for rule in policies[workload.dashed]["spec"]["ingress"]
                 if any("namespaceSelector" in peer for peer in rule["from"])]
        if workload.component == "job":
            assert rules == [], workload.dashed
            continue
        [rule] = rules
        [peer] = rule["from"]
        assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}
        assert peer["podSelector"]["matchLabels"] == k8s_manifests.PROMETHEUS_POD
        expected = k8s_manifests.PORT if workload.component == "web" else k8s_manifests.METRICS_PORT
        assert rule["ports"] == [{"protocol": "TCP", "port": expected}], workload.dashed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_pods_gather_their_workers_metrics_in_memory(rendered, overlay):
    deployments = objects_of(rendered[overlay], "Deployment")
    for service in SERVICES:
        pod = deployments[dashed(service)]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        env = {item["name"]: item.get("value") for item in container["env"]}
        folder = env["PROMETHEUS_MULTIPROC_DIR"]
        [mount] = [m for m in container["volumeMounts"] if m["mountPath"] == folder]
        [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
        assert volume["emptyDir"]["medium"] == "Memory", service


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_alerts_and_dashboard_are_shipped(rendered, overlay):
    [rule] = objects_of(rendered[overlay], "PrometheusRule").values()
    shipped = {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}
    assert set(shipped) == {alert.name for alert in monitoring.ALERTS}
    assert all(r["expr"] and r["for"] and r["labels"]["severity"] in ("page", "ticket") for r in shipped.values())
    [dashboard] = [c for c in objects_of(rendered[overlay], "ConfigMap").values()
                   if c["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    panels = json.loads(dashboard["data"]["receptionist.json"])["panels"]
    assert [p["title"] for p in panels] == [p.title for p in monitoring.PANELS]
    assert all(target["expr"] for panel in panels for target in panel["targets"])
