"""Indexes for the hot paths, so their cost stays flat as a clinic chain's history grows.

- phone lookups (a call's "my appointments", SMS replies without a clinic): (patient_phone, starts_at),
  replacing (clinic_id, patient_phone), which a lookup without a clinic could only read in full;
- free slots: booked rows by (doctor_id, ends_at) with starts_at included, so a doctor's availability
  starts reading at the window asked for and never reads their past;
- reminders: booked rows by starts_at, so a pass reads the next days' bookings, not the table;
- a booking's or cancellation's own notification, handed over right after the commit: undelivered
  outbox rows by appointment, so that stays quick while messaging works through a backlog.

On Postgres the indexes are built CONCURRENTLY (no lock on appointments while a large table is
indexed), outside the migration's transaction; a build that failed half-way leaves an invalid index,
which the next run drops and builds again. SQLite has no INCLUDE: the column is indexed after the others.

Revision ID: 0012_hot_path_indexes
Revises: 0011_schedule_versions
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

revision = "0012_hot_path_indexes"
down_revision = "0011_schedule_versions"
branch_labels = None
depends_on = None


class IndexSpec(NamedTuple):
    """One index: name, table, key columns, covered columns and the rows it holds."""

    name: str
    table: str
    columns: list[str]
    include: list[str] = []
    where: str | None = None


BOOKED = "status = 'booked'"
NEW = (
    IndexSpec("ix_appointments_phone_start", "appointments", ["patient_phone", "starts_at"]),
    IndexSpec("ix_appointments_booked_doctor_end", "appointments", ["doctor_id", "ends_at"], ["starts_at"], BOOKED),
    IndexSpec("ix_appointments_booked_start", "appointments", ["starts_at"], where=BOOKED),
    IndexSpec("ix_outbox_undelivered_appointment", "notification_outbox", ["appointment_id"],
              where="delivered_at IS NULL"),
)
REPLACED = (IndexSpec("ix_appointments_patient_phone", "appointments", ["clinic_id", "patient_phone"]),)


def _on_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _create(index: IndexSpec) -> None:
    where = sa.text(index.where) if index.where else None
    if not _on_postgres():
        op.create_index(index.name, index.table, index.columns + index.include, sqlite_where=where)
        return
    op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
    op.create_index(index.name, index.table, index.columns, postgresql_include=index.include,
                    postgresql_where=where, postgresql_concurrently=True)


def _drop(index: IndexSpec) -> None:
    if _on_postgres():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
    else:
        op.drop_index(index.name, table_name=index.table)


def _apply(create: tuple[IndexSpec, ...], drop: tuple[IndexSpec, ...]) -> None:
    # CONCURRENTLY cannot run inside a transaction block
    with op.get_context().autocommit_block() if _on_postgres() else nullcontext():
        for index in create:
            _create(index)
        for index in drop:
            _drop(index)


def upgrade() -> None:
    """Build the hot-path indexes (new ones first, so phone lookups always have one), then drop the old one."""
    _apply(NEW, REPLACED)


def downgrade() -> None:
    """Bring back the old phone index, then drop the hot-path indexes."""
    _apply(REPLACED, NEW)
