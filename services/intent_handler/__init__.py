"""intent_handler: the main menu (1 book, 2 cancel, 3 reschedule, 4 availability, 5 staff), answered by key
or in the caller's own words; the chosen flow's first question is the answer (shared/dialogue/menu.py)."""

from __future__ import annotations

import requests
from flask import Flask

from services.intent_handler.settings import IntentHandlerSettings
from shared.app import create_service_app, service_blueprint
from shared.clock import SYSTEM_CLOCK, Clock
from shared.conversation import CallDependencies, step_views
from shared.sessions import CallSessionStore
from shared.wiring import client_from, session_store_from

SERVICE = "intent_handler"
SETTINGS = IntentHandlerSettings


def create_app(
    settings: IntentHandlerSettings | None = None,
    *,
    session_store: CallSessionStore | None = None,
    http: requests.Session | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build the intent_handler app; outside clients are built from settings unless passed in."""
    settings = settings or IntentHandlerSettings()
    clock = clock or SYSTEM_CLOCK
    sessions = session_store_from(settings, session_store)
    client = client_from(settings, http)
    app = create_service_app(SERVICE, settings, service_blueprint(SERVICE, step_views(SERVICE)),
                             {"sessions": sessions.ping}, clock)
    app.extensions["receptionist"] = CallDependencies.build(settings, sessions, client, clock)
    return app
