"""SMS reliability: retry schedule and reconciliation marks on sms_messages, a retry schedule on the
notification outbox, attendance confirmation on appointments, and the SMS opt-out register.

Revision ID: 0008_sms_reliability
Revises: 0001_initial_schema
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0008_sms_reliability"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and the opt-out table."""
    with op.batch_alter_table("sms_messages") as table:
        table.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("attempt_started_at", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("error_code", sa.Integer, nullable=True))
        table.add_column(sa.Column("status_changed_at", UTCDateTime(), nullable=True))
    op.create_index("ix_sms_status_next_attempt", "sms_messages", ["status", "next_attempt_at"])
    with op.batch_alter_table("notification_outbox") as table:
        table.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("appointments") as table:
        table.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone", sa.String(20), primary_key=True),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop what upgrade added (plain DROP COLUMN: Postgres and SQLite >= 3.35 both have it)."""
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_sms_status_next_attempt", table_name="sms_messages")
    for table, column in (("appointments", "confirmed_at"), ("notification_outbox", "next_attempt_at"),
                          ("sms_messages", "status_changed_at"), ("sms_messages", "error_code"),
                          ("sms_messages", "attempt_started_at"), ("sms_messages", "next_attempt_at")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
