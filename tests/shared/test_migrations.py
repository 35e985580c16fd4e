"""The hand-written migrations create exactly what the services' models declare."""

from __future__ import annotations

import importlib

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db import Base, make_engine, migrate
from shared.routes import SERVICES


def load_all_models() -> None:
    for service in SERVICES:
        try:
            importlib.import_module(f"services.{service}.models")
        except ModuleNotFoundError as error:
            if error.name != f"services.{service}.models":
                raise


def drift(url: str) -> list:
    load_all_models()
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    # Indexes and cross-service foreign keys are declared in migrations only: the database enforces
    # them, while a service process that loads only its own models could not resolve another
    # service's table in the ORM. Tables and columns must agree.
    ignored = ("add_index", "remove_index", "add_fk", "remove_fk")
    return [item for item in differences if not (isinstance(item, tuple) and item[0] in ignored)]


def test_models_match_migrations_on_postgres(database_url):
    assert drift(database_url) == []


def test_models_match_migrations_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path}/drift.db"
    migrate(url)
    assert drift(url) == []
