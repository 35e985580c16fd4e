"""intent_handler: the main menu (1 book, 2 cancel, 3 reschedule, 4 availability, 5 staff)."""

from __future__ import annotations

import requests
from flask import Flask

from services.intent_handler.settings import IntentHandlerSettings
from services.intent_handler.views import VIEWS
from shared.app import create_service_app, service_blueprint
from shared.conversation import CallDependencies, ClinicDirectory
from shared.sessions import CallSessionStore
from shared.wiring import client_from, session_store_from

SERVICE = "intent_handler"
SETTINGS = IntentHandlerSettings


def create_app(
    settings: IntentHandlerSettings | None = None,
    *,
    session_store: CallSessionStore | None = None,
    http: requests.Session | None = None,
) -> Flask:
    """Build the intent_handler app; outside clients are built from settings unless passed in."""
    settings = settings or IntentHandlerSettings()
    sessions = session_store_from(settings, session_store)
    client = client_from(settings, http)
    app = create_service_app(SERVICE, settings, service_blueprint(SERVICE, VIEWS), {"sessions": sessions.ping})
    app.extensions["receptionist"] = CallDependencies(
        settings, sessions, client, ClinicDirectory(client, settings.clinic_cache_ttl_seconds)
    )
    return app
