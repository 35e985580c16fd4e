"""receptionist_agent: understands what callers say and validates guest details (stateless)."""

from __future__ import annotations

from flask import Flask

from services.receptionist_agent.settings import ReceptionistAgentSettings
from services.receptionist_agent.views import VIEWS
from shared.app import create_service_app, service_blueprint
from shared.clock import Clock

SERVICE = "receptionist_agent"
SETTINGS = ReceptionistAgentSettings


def create_app(settings: ReceptionistAgentSettings | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the receptionist_agent app; `clock` is "now" for callers' relative times ("tomorrow")."""
    settings = settings or ReceptionistAgentSettings()
    return create_service_app(SERVICE, settings, service_blueprint(SERVICE, VIEWS), clock=clock)
