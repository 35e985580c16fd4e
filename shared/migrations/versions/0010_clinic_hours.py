"""Clinics get opening hours (weekly, with closures), a country (which emergency number callers are
told) and their own words for departments; calls keep their language and why they ended as they did.

Revision ID: 0010_clinic_hours
Revises: 0009_merge_heads
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_clinic_hours"
down_revision = "0009_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns; existing clinics keep answering as before until their hours are set."""
    with op.batch_alter_table("clinics") as batch:
        batch.add_column(sa.Column("opening_hours", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("closures", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("country", sa.String(2), nullable=False, server_default="US"))
        batch.add_column(sa.Column("department_synonyms", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))
        batch.add_column(sa.Column("outcome_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("outcome_reason")
        batch.drop_column("language")
    with op.batch_alter_table("clinics") as batch:
        batch.drop_column("department_synonyms")
        batch.drop_column("country")
        batch.drop_column("closures")
        batch.drop_column("opening_hours")
