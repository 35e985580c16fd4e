"""All eight services in one process (local mode): a WSGI dispatcher picks the owning service of
each path from the route table, and services call each other in-process through the same client."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import requests
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from shared.db import make_engine
from shared.routes import OPERATIONS_PATHS, ROUTES, SERVICES
from shared.service_client import IN_PROCESS_BASE_URL
from shared.settings import CommonSettings
from shared.wiring import session_store_from
from shared.wsgi_transport import WSGIAdapter

OPERATIONS_SERVICE = "twilio_handler"  # it checks both the database and the session store


class RouteDispatcher:
    """A WSGI app that hands each request to the service owning its path (per the route table)."""

    def __init__(self, apps: dict[str, Flask]):
        self.apps = apps
        # Methods are left to the owning app, so a wrong method gets that app's 405.
        # No slash merging: a redirect here would escape the WSGI app as an error (and drop Twilio's Digits).
        self.url_map = Map([Rule(route.path, endpoint=route.service) for route in ROUTES], merge_slashes=False)

    def service_for(self, path: str) -> str | None:
        """The service that owns a path, or None."""
        if path in OPERATIONS_PATHS:
            return OPERATIONS_SERVICE
        try:
            service, _ = self.url_map.bind("localhost").match(path, method="GET")
        except HTTPException:
            return None
        return service

    def __call__(self, environ, start_response):
        """Dispatch one request."""
        service = self.service_for(environ.get("PATH_INFO", "/"))
        if service is None:
            response = Response('{"error": "not_found", "message": "no service owns this path"}', 404,
                                mimetype="application/json")
            return response(environ, start_response)
        return self.apps[service](environ, start_response)


def create_all_in_one(overrides: dict[str, Any] | None = None, **dependencies: Any) -> RouteDispatcher:
    """Build every service with shared dependencies (one engine, one session store, in-process HTTP).

    `overrides` are settings values applied to every service's settings (tests use them); the
    dependencies are passed to each service factory that accepts them.
    """
    overrides = overrides or {}
    common = CommonSettings(**overrides)
    shared_deps: dict[str, Any] = {
        "engine": make_engine(common.database_url),
        "session_store": session_store_from(common, None),
        "http": requests.Session(),
        **dependencies,
    }
    apps: dict[str, Flask] = {}
    dispatcher = RouteDispatcher(apps)
    if not common.service_url_template:
        shared_deps["http"].mount(IN_PROCESS_BASE_URL, WSGIAdapter(dispatcher))
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}")
        accepted = inspect.signature(module.create_app).parameters
        apps[name] = module.create_app(
            module.SETTINGS(**overrides), **{key: value for key, value in shared_deps.items() if key in accepted}
        )
    return dispatcher
