"""Alembic environment: runs the hand-written migrations against the configured URL.

The URL is `sqlalchemy.url` when a caller set it (shared.db.alembic_config), else `-x url=...`, else
DATABASE_URL, else the local SQLite default of the settings. The target metadata is every service's
models, so `alembic revision --autogenerate` compares all tables (only the migrate command runs this).
"""

import logging.config

from alembic import context

from services import all_models
from shared.db import make_engine
from shared.settings import CommonSettings

config = context.config


def _database_url() -> str:
    return (config.get_main_option("sqlalchemy.url") or context.get_x_argument(as_dictionary=True).get("url")
            or CommonSettings().database_url)


def _declared_only_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """False for indexes and foreign keys the database has but no model names (they are declared in
    migrations only, so a service loading its own models never needs another service's tables)."""
    return not (type_ in ("index", "foreign_key_constraint") and reflected and compare_to is None)


def run_migrations_online() -> None:
    """Apply migrations over a fresh connection, each in its own transaction."""
    engine = make_engine(_database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
            target_metadata=all_models(),
            include_object=_declared_only_in_migrations,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if config.config_file_name and config.attributes.get("configure_logger", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
run_migrations_online()
