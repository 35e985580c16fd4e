"""NetworkPolicies: deny by default, allow DNS, and let each service call exactly the services its
code calls through ServiceClient (found by reading the code, not by trusting the manifests)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.routes import SERVICES, dashed
from tests.infra.conftest import OVERLAYS, ROOT, objects_of
from tools import k8s_manifests

# ClinicDirectory (knowledge_base) and Prompter (tts) are reached through shared.conversation.Turn,
# so the calls in these shared modules belong to every service that builds call turns.
CONVERSATION_MODULES = ("shared/conversation.py", "shared/twiml.py")


def client_calls(path: Path) -> set[str]:
    """Services named in `<...>client.get/post(service, ...)` and `<...>client.call(method, service, ...)`."""
    called = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("get", "post", "call") or not ast.unparse(node.func.value).endswith("client"):
            continue
        position = 1 if node.func.attr == "call" else 0
        argument = node.args[position] if len(node.args) > position else None
        if isinstance(argument, ast.Constant) and argument.value in SERVICES:
            called.add(argument.value)
    return called


def calls_in_code(service: str) -> set[str]:
    """Every service that one service's code calls."""
    package = ROOT / "services" / service
    called, uses_turns = set(), False
    for path in package.rglob("*.py"):
        called |= client_calls(path)
        uses_turns |= "shared.conversation" in path.read_text()
    if uses_turns:
        for module in CONVERSATION_MODULES:
            called |= client_calls(ROOT / module)
    return called - {service}


def test_the_code_scan_finds_known_calls():
    assert calls_in_code("booking_handler") >= {"calendly", "receptionist_agent", "knowledge_base", "tts"}
    assert calls_in_code("calendly") == {"knowledge_base", "messaging"}
    assert calls_in_code("receptionist_agent") == set()


def _egress_services(policy: dict) -> set[str]:
    names = set()
    for rule in policy["spec"]["egress"]:
        for peer in rule["to"]:
            if "podSelector" in peer and "namespaceSelector" not in peer:
                names.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
    return names


def _ingress_sources(policy: dict) -> set[str]:
    names = set()
    for rule in policy["spec"]["ingress"]:
        for peer in rule["from"]:
            if "podSelector" in peer and "namespaceSelector" not in peer:
                names.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_egress_is_exactly_the_calls_in_the_code(rendered, overlay, service):
    policy = objects_of(rendered[overlay], "NetworkPolicy")[dashed(service)]
    assert _egress_services(policy) == {dashed(s) for s in calls_in_code(service)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_mirrors_egress(rendered, overlay):
    policies = objects_of(rendered[overlay], "NetworkPolicy")
    workloads = {w.dashed for w in k8s_manifests.WORKLOADS}
    for name in workloads:
        callers = {other for other in workloads if name in _egress_services(policies[other])}
        assert _ingress_sources(policies[name]) == callers, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_services_with_public_routes_accept_the_load_balancer(rendered, overlay):
    from shared.routes import public_services

    public = {dashed(service) for service in public_services()}
    assert "staff-console" in public
    policies = objects_of(rendered[overlay], "NetworkPolicy")
    for name in (w.dashed for w in k8s_manifests.WORKLOADS):
        from_vpc = any("ipBlock" in peer for rule in policies[name]["spec"]["ingress"] for peer in rule["from"])
        assert from_vpc == (name in public), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_default_deny_dns_and_https(rendered, overlay):
    policies = objects_of(rendered[overlay], "NetworkPolicy")
    deny = policies["default-deny-all"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = policies["allow-dns"]["spec"]["egress"][0]
    assert {p["port"] for p in dns["ports"]} == {53}
    https = policies["allow-https-internet"]["spec"]["egress"][0]
    assert https["ports"] == [{"protocol": "TCP", "port": 443}]
    assert "10.0.0.0/8" in https["to"][0]["ipBlock"]["except"]
    for name, policy in policies.items():
        assert set(policy["spec"]["policyTypes"]) >= {"Egress"}, name
