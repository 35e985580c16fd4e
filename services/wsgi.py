"""Gunicorn entry point: `gunicorn 'services.wsgi:create_wsgi_app()'`; SERVICE picks one service,
or all of them (local mode) when unset or "all"."""

from __future__ import annotations

import importlib
import os

from shared.routes import SERVICES


def create_wsgi_app():
    """The WSGI app for the SERVICE environment variable."""
    service = os.environ.get("SERVICE", "all")
    if service == "all":
        from services.all_in_one import create_all_in_one

        return create_all_in_one()
    if service not in SERVICES:
        raise SystemExit(f"SERVICE must be one of {', '.join(SERVICES)} or 'all', not {service!r}")
    return importlib.import_module(f"services.{service}").create_app()
