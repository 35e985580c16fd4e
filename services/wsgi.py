"""Gunicorn entry point: `gunicorn 'services.wsgi:create_wsgi_app()'`; SERVICE picks one service,
or all of them (local mode) when unset or "all", with the outbox dispatcher, SMS worker and reminders
polling in a background thread unless LOCAL_BACKGROUND_JOBS=0."""

from __future__ import annotations

import importlib
import os

from shared.routes import SERVICES


def create_wsgi_app():
    """The WSGI app for the SERVICE environment variable."""
    service = os.environ.get("SERVICE", "all")
    if service == "all":
        from services.all_in_one import create_all_in_one
        from services.jobs import start_local_jobs

        system = create_all_in_one()
        if os.environ.get("LOCAL_BACKGROUND_JOBS", "1") != "0":
            start_local_jobs(system)
        return system
    if service not in SERVICES:
        raise SystemExit(f"SERVICE must be one of {', '.join(SERVICES)} or 'all', not {service!r}")
    # A service process loads only its own models: foreign keys to other services' tables are
    # enforced by the database (migrations), never named in the ORM, so nothing else is needed here.
    return importlib.import_module(f"services.{service}").create_app()
