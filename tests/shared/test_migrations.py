"""The hand-written migrations create exactly what the services' models declare."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from services import all_models
from shared.db import MIGRATIONS_DIR, alembic_config, make_engine, migrate
from tests.conftest import empty_database

REPOSITORY = Path(__file__).resolve().parents[2]


def drift(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, all_models())
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


def test_the_history_has_exactly_one_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_revision_ids_fit_alembic_version_column():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert all(len(revision.revision) <= 32 for revision in script.walk_revisions())


def _round_trip(url: str) -> None:
    """Upgrade from empty, downgrade to base (nothing of ours left), upgrade again, no drift."""
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert _tables(url) > {"appointments", "calls", "clinics", "sms_messages"}
    command.downgrade(config, "base")
    assert _tables(url) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert drift(url) == []


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_on_postgres(database_url):
    url = str(make_url(database_url).set(database=f"{make_url(database_url).database}_migrations"))
    empty_database(url)
    _round_trip(url)


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path}/round-trip.db")


def test_autogenerate_against_a_migrated_database_finds_nothing_to_do(tmp_path):
    """`alembic revision --autogenerate` works from alembic.ini and proposes no change when the
    migrations and models agree (indexes and foreign keys declared only in migrations are kept)."""
    url = f"sqlite:///{tmp_path}/autogenerate.db"
    migrate(url)
    config = Config(str(REPOSITORY / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.set_main_option("version_locations", os.pathsep.join((str(MIGRATIONS_DIR / "versions"), str(tmp_path))))
    config.attributes["configure_logger"] = False
    command.revision(config, message="probe", autogenerate=True, rev_id="probe", version_path=str(tmp_path))
    generated = ast.parse((tmp_path / "probe_probe.py").read_text())
    functions = {node.name: node for node in generated.body if isinstance(node, ast.FunctionDef)}
    for name in ("upgrade", "downgrade"):
        statements = [type(node).__name__ for node in functions[name].body]
        assert statements == ["Expr", "Pass"], f"{name}() is not empty: {ast.unparse(functions[name])}"
    assigned = {node.targets[0].id: ast.literal_eval(node.value) for node in generated.body
                if isinstance(node, ast.Assign)}
    assert assigned["down_revision"] == ScriptDirectory.from_config(alembic_config(url)).get_current_head()


HOT_PATH_REVISION = "0012_hot_path_indexes"


def _before_hot_path_indexes(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_revision(HOT_PATH_REVISION).down_revision


HOT_PATH_INDEXES = {"ix_appointments_phone_start", "ix_appointments_booked_doctor_end", "ix_appointments_booked_start"}


def _indexes(url: str) -> dict[str, set[str]]:
    engine = make_engine(url)
    found = {table: {index["name"] for index in inspect(engine).get_indexes(table)}
             for table in ("appointments", "notification_outbox")}
    engine.dispose()
    return found


def _assert_hot_path_indexes(url: str, present: bool) -> None:
    found = _indexes(url)
    assert HOT_PATH_INDEXES & found["appointments"] == (HOT_PATH_INDEXES if present else set())
    assert ("ix_outbox_undelivered_appointment" in found["notification_outbox"]) is present
    assert ("ix_appointments_patient_phone" in found["appointments"]) is not present


def _up_down_up(url: str) -> None:
    migrate(url)
    _assert_hot_path_indexes(url, present=True)
    command.downgrade(alembic_config(url), _before_hot_path_indexes(url))
    _assert_hot_path_indexes(url, present=False)
    migrate(url)
    _assert_hot_path_indexes(url, present=True)


def test_hot_path_indexes_upgrade_and_downgrade_on_sqlite(tmp_path):
    _up_down_up(f"sqlite:///{tmp_path}/indexes.db")


def test_hot_path_indexes_upgrade_and_downgrade_on_postgres(scratch_postgres_url):
    _up_down_up(scratch_postgres_url)


def test_an_index_left_invalid_by_a_failed_concurrent_build_is_built_again(scratch_postgres_url):
    migrate(scratch_postgres_url, _before_hot_path_indexes(scratch_postgres_url))
    engine = make_engine(scratch_postgres_url)
    with engine.begin() as connection:  # what an interrupted CREATE INDEX CONCURRENTLY leaves behind
        connection.execute(text("CREATE INDEX ix_appointments_booked_start ON appointments (id)"))
        connection.execute(text("UPDATE pg_index SET indisvalid = false WHERE indexrelid = "
                                "'ix_appointments_booked_start'::regclass"))
    migrate(scratch_postgres_url)
    with engine.connect() as connection:
        valid, definition = connection.execute(text(
            "SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indexrelid = 'ix_appointments_booked_start'::regclass")).one()
    engine.dispose()
    assert valid and "(starts_at) WHERE" in definition and "'booked'" in definition
