"""staff_console: the web pages clinic staff use (today's appointments, booking, calls, callbacks,
schedules, texts), talking to the other services only over their internal APIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests
from flask import Flask, g, render_template
from jinja2 import FileSystemLoader
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from services.staff_console import web
from services.staff_console.accounts import Policy
from services.staff_console.backends import StaffClient
from services.staff_console.oidc import AlbKeys
from services.staff_console.settings import StaffConsoleSettings
from services.staff_console.views import VIEWS
from shared.app import create_service_app, service_blueprint
from shared.clock import Clock
from shared.db import check_database, make_session_factory
from shared.service_client import ServiceCallError
from shared.wiring import client_from, engine_from

SERVICE = "staff_console"
SETTINGS = StaffConsoleSettings
TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class ConsoleDependencies:
    """What the console's pages use."""

    settings: StaffConsoleSettings
    db: sessionmaker[Session]
    client: StaffClient
    policy: Policy
    alb_keys: AlbKeys


def create_app(
    settings: StaffConsoleSettings | None = None,
    *,
    engine: Engine | None = None,
    http: requests.Session | None = None,
    clock: Clock | None = None,
    alb_keys: AlbKeys | None = None,
) -> Flask:
    """Build the console app; its database holds only staff accounts and sessions."""
    settings = settings or StaffConsoleSettings()
    engine = engine_from(settings, engine)
    app = create_service_app(SERVICE, settings, service_blueprint(SERVICE, VIEWS),
                             {"database": lambda: check_database(engine)}, clock)
    app.jinja_loader = FileSystemLoader(TEMPLATES)
    app.jinja_env.autoescape = True
    policy = Policy(settings.staff_login_max_failures, timedelta(minutes=settings.staff_lockout_minutes),
                    timedelta(minutes=settings.staff_session_idle_minutes),
                    timedelta(hours=settings.staff_session_max_hours))
    app.extensions["receptionist"] = ConsoleDependencies(
        settings, make_session_factory(engine),
        StaffClient(client_from(settings, http), settings.admin_api_token.get_secret_value()), policy,
        alb_keys or AlbKeys(settings.staff_oidc_keys, settings.staff_oidc_key_url),
    )
    app.before_request(web.load_staff)
    app.before_request(web.check_csrf)
    app.after_request(web.secure_headers)
    _register_page_errors(app)
    return app


def _register_page_errors(app: Flask) -> None:
    """Errors as pages (the shared handlers answer JSON, which suits APIs, not people)."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return render_template("error.html", staff=g.get("staff"), code=error.code,
                               message=error.description), error.code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on a console page")
        return render_template("error.html", staff=g.get("staff"), code=500,
                               message="Something went wrong; it has been logged."), 500

    @app.errorhandler(ServiceCallError)
    def _backend_down(error: ServiceCallError):
        app.logger.warning("backend call failed: %s %s %s", error.service, error.path.split("/")[1], error.status)
        return render_template("error.html", staff=g.get("staff"), code=502,
                               message="Another part of the system did not answer. Try again in a moment."), 502
