"""Database access: the declarative base, a UTC datetime type, engines, transactions and migrations.

Each service declares the tables it owns in its own `models.py` on this one Base; the Alembic
migrations in shared/migrations create them on Postgres and SQLite alike.
"""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 3


def _request_deadline() -> float | None:
    """The serving request's deadline (time.monotonic), if this thread serves one that has one."""
    from flask import g, has_app_context

    return g.get("deadline") if has_app_context() else None


def wait_within_deadline(conn) -> None:
    """psycopg2's wait callback: wait for the server like psycopg2.extras.wait_select, but give up when
    the serving request's deadline passes (a hung server must not hold a caller past the turn), and
    after CONNECT_TIMEOUT_SECONDS while connecting (libpq's connect_timeout does not apply here)."""
    import psycopg2
    from psycopg2.extensions import POLL_OK, POLL_READ, POLL_WRITE, STATUS_SETUP

    deadline = _request_deadline()
    if conn.status == STATUS_SETUP:
        connect_by = time.monotonic() + CONNECT_TIMEOUT_SECONDS
        deadline = connect_by if deadline is None else min(deadline, connect_by)
    while True:
        try:
            state = conn.poll()
            if state == POLL_OK:
                return
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise psycopg2.OperationalError("could not receive data from server: the deadline passed")
            if state == POLL_READ:
                select.select([conn.fileno()], [], [], left)
            elif state == POLL_WRITE:
                select.select([], [conn.fileno()], [], left)
            else:
                raise psycopg2.OperationalError(f"bad state from poll: {state}")
        except KeyboardInterrupt:
            conn.cancel()
            continue


@contextmanager
def blocking_driver() -> Iterator[None]:
    """psycopg2 without the deadline-bounded wait, for what green mode cannot do (COPY)."""
    from psycopg2.extensions import get_wait_callback, set_wait_callback

    previous = get_wait_callback()
    set_wait_callback(None)
    try:
        yield
    finally:
        set_wait_callback(previous)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Refuse naive datetimes and store UTC (naive on SQLite so text compares in order)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Always hand back an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every service's models."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for Postgres (pre-ping, bounded pool) or SQLite (foreign keys, WAL, busy timeout)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    from psycopg2.extensions import set_wait_callback

    set_wait_callback(wait_within_deadline)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=5,
        pool_recycle=1800,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory.begin() as session:
        yield session


def check_database(engine: Engine) -> None:
    """Raise unless the database answers a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def alembic_config(url: str):
    """An Alembic config pointing at shared/migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "heads") -> None:
    """Bring the database at `url` up to `revision` (all heads by default)."""
    from alembic import command

    if make_url(url).get_backend_name() == "sqlite":
        make_engine(url).dispose()  # creates the folder of the SQLite file
    command.upgrade(alembic_config(url), revision)
