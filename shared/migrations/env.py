"""Alembic environment: runs the hand-written migrations against the configured URL."""

from alembic import context

from shared.db import make_engine

config = context.config


def run_migrations_online() -> None:
    """Apply migrations over a fresh connection, each in its own transaction."""
    url = config.get_main_option("sqlalchemy.url")
    # The engine's own pool (not one swapped in): its first connect sets up the dialect, which
    # autocommit blocks (CREATE INDEX CONCURRENTLY) need; dispose() closes the connection at the end.
    engine = make_engine(url)
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
