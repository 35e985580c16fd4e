"""twilio_handler: where calls begin (greeting, menu) and end (status callback, outcome)."""

from __future__ import annotations

import requests
from flask import Flask
from sqlalchemy import Engine

from services.twilio_handler.settings import TwilioHandlerSettings
from services.twilio_handler.views import VIEWS
from shared.app import create_service_app, service_blueprint
from shared.conversation import CallDependencies, ClinicDirectory
from shared.db import check_database, make_session_factory
from shared.sessions import CallSessionStore
from shared.wiring import client_from, engine_from, session_store_from

SERVICE = "twilio_handler"
SETTINGS = TwilioHandlerSettings


def create_app(
    settings: TwilioHandlerSettings | None = None,
    *,
    engine: Engine | None = None,
    session_store: CallSessionStore | None = None,
    http: requests.Session | None = None,
) -> Flask:
    """Build the twilio_handler app; outside clients are built from settings unless passed in."""
    settings = settings or TwilioHandlerSettings()
    engine = engine_from(settings, engine)
    sessions = session_store_from(settings, session_store)
    client = client_from(settings, http)
    app = create_service_app(
        SERVICE, settings, service_blueprint(SERVICE, VIEWS),
        {"database": lambda: check_database(engine), "sessions": sessions.ping},
    )
    app.extensions["receptionist"] = CallDependencies(
        settings, sessions, client, ClinicDirectory(client, settings.clinic_cache_ttl_seconds),
        extras={"db": make_session_factory(engine)},
    )
    return app
