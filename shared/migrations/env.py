"""Alembic environment: runs the hand-written migrations against the configured URL."""

from alembic import context
from sqlalchemy import pool

from shared.db import make_engine

config = context.config


def run_migrations_online() -> None:
    """Apply migrations over a fresh connection, each in its own transaction."""
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url)
    engine.pool = pool.NullPool(engine.pool._creator)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
