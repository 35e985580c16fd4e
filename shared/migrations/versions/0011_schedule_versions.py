"""Schedules are reviewed before they apply and every applied schedule is kept: documents remember a
preview (the doctors it would leave, what would change, the version it was compared with) and who
uploaded and reviewed it; schedule_versions keeps each applied schedule; clinics carry the id of
their latest one, which other services' caches revalidate against.

Revision ID: 0011_schedule_versions
Revises: 0010_clinic_hours
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0011_schedule_versions"
down_revision = "0010_clinic_hours"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and the versions table; existing clinics start at version 0."""
    with op.batch_alter_table("clinics") as batch:
        batch.add_column(sa.Column("schedule_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("base_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("report", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("uploaded_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reviewed_at", UTCDateTime(), nullable=True))
    op.create_table(
        "schedule_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="SET NULL"), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("restored_from", sa.Integer, nullable=True),
        sa.Column("doctors", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("clinic_id", "number", name="uq_schedule_versions_clinic_number"),
    )
    op.create_index("ix_schedule_versions_clinic_document", "schedule_versions", ["clinic_id", "document_id"])


def downgrade() -> None:
    """Drop the versions table and the columns."""
    op.drop_index("ix_schedule_versions_clinic_document", table_name="schedule_versions")
    op.drop_table("schedule_versions")
    with op.batch_alter_table("documents") as batch:
        for column in ("reviewed_at", "reviewed_by", "uploaded_by", "report", "plan", "base_version"):
            batch.drop_column(column)
    with op.batch_alter_table("clinics") as batch:
        batch.drop_column("schedule_version")
