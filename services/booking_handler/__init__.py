"""booking_handler: the phone conversations that book (and later cancel, reschedule, check) appointments."""

from __future__ import annotations

import requests
from flask import Flask

from services.booking_handler.directory import DoctorDirectory
from services.booking_handler.settings import BookingHandlerSettings
from services.booking_handler.views import VIEWS
from shared.app import create_service_app, service_blueprint
from shared.conversation import CallDependencies, ClinicDirectory
from shared.sessions import CallSessionStore
from shared.wiring import client_from, session_store_from

SERVICE = "booking_handler"
SETTINGS = BookingHandlerSettings


def create_app(
    settings: BookingHandlerSettings | None = None,
    *,
    session_store: CallSessionStore | None = None,
    http: requests.Session | None = None,
) -> Flask:
    """Build the booking_handler app; outside clients are built from settings unless passed in."""
    settings = settings or BookingHandlerSettings()
    sessions = session_store_from(settings, session_store)
    client = client_from(settings, http)
    app = create_service_app(SERVICE, settings, service_blueprint(SERVICE, VIEWS), {"sessions": sessions.ping})
    app.extensions["receptionist"] = CallDependencies(
        settings, sessions, client, ClinicDirectory(client, settings.clinic_cache_ttl_seconds),
        extras={"doctors": DoctorDirectory(client, settings.clinic_cache_ttl_seconds)},
    )
    return app
