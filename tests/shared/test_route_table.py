"""The route table is the single source of truth for paths, owners, methods and auth."""

from __future__ import annotations

import importlib

import pytest

from services.all_in_one import RouteDispatcher
from shared.routes import OPERATIONS_PATHS, ROUTES, SERVICES, example_path, public_paths, routes_for


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_serves_exactly_its_table_routes(service, tmp_path):
    module = importlib.import_module(f"services.{service}")
    settings = module.SETTINGS(environment="test", database_url=f"sqlite:///{tmp_path}/x.db",
                               local_data_dir=str(tmp_path))
    app = module.create_app(settings)
    served = {(rule.rule, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint != "static"}
    expected = {(route.path, method) for route in routes_for(service) for method in route.methods}
    expected |= {(path, "GET") for path in OPERATIONS_PATHS}
    assert served == expected


def test_no_path_is_owned_twice_and_public_paths_are_twilio_or_webhooks():
    paths = [route.path for route in ROUTES]
    assert len(paths) == len(set(paths))
    assert "/voice" in public_paths() and not any(path.startswith(("/kb", "/calendly/", "/agent"))
                                                  for path in public_paths())


def test_dispatcher_routes_by_table():
    dispatcher = RouteDispatcher({})
    for route in ROUTES:
        assert dispatcher.service_for(example_path(route.path)) == route.service
    assert dispatcher.service_for("/nowhere") is None


def test_health_endpoints(system):
    assert system.http.get("/healthz").get_json()["status"] == "alive"
    ready = system.http.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["checks"] == {"database": "ok", "sessions": "ok"}
    assert b"http_requests_total" in system.http.get("/metrics").data
