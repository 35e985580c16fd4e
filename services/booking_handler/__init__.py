"""booking_handler: the steps of the booking, availability, cancel and reschedule conversations. The flows
themselves are tables in shared/dialogue (the menu and the call's start answer with their first
questions too); this service serves the routes the route table gives it."""

from __future__ import annotations

import requests
from flask import Flask

from services.booking_handler.settings import BookingHandlerSettings
from shared.app import create_service_app, service_blueprint
from shared.clock import SYSTEM_CLOCK, Clock
from shared.conversation import CallDependencies, step_views
from shared.sessions import CallSessionStore
from shared.wiring import client_from, session_store_from

SERVICE = "booking_handler"
SETTINGS = BookingHandlerSettings


def create_app(
    settings: BookingHandlerSettings | None = None,
    *,
    session_store: CallSessionStore | None = None,
    http: requests.Session | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build the booking_handler app; outside clients are built from settings unless passed in."""
    settings = settings or BookingHandlerSettings()
    clock = clock or SYSTEM_CLOCK
    sessions = session_store_from(settings, session_store)
    client = client_from(settings, http)
    app = create_service_app(SERVICE, settings, service_blueprint(SERVICE, step_views(SERVICE)),
                             {"sessions": sessions.ping}, clock)
    app.extensions["receptionist"] = CallDependencies.build(settings, sessions, client, clock)
    return app
