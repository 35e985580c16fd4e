"""The nine services, one package each; `services.all_in_one` serves them together for local mode."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData


def all_models() -> MetaData:
    """The metadata of every service's tables (each declared in its owner's models.py), for comparing
    the models with the migrations (alembic autogenerate, the drift test); services run with their own."""
    from shared.db import Base
    from shared.routes import SERVICES

    for service in SERVICES:
        try:
            importlib.import_module(f"services.{service}.models")
        except ModuleNotFoundError as error:
            if error.name != f"services.{service}.models":
                raise
    return Base.metadata
