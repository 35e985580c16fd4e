"""Calendly sync: the queue of changes to push to Calendly, and processed webhooks.

Revision ID: 0005_calendly_sync
Revises: 0001_initial_schema
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0005_calendly_sync"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the sync queue and the processed-webhook table."""
    op.create_table(
        "calendly_sync_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("after_task_id", sa.Integer, sa.ForeignKey("calendly_sync_tasks.id"), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_calendly_sync_due", "calendly_sync_tasks", ["status", "next_attempt_at"])
    op.create_index("ix_calendly_sync_done", "calendly_sync_tasks", ["kind", "done_at"])
    op.create_index("ix_calendly_sync_appointment", "calendly_sync_tasks", ["appointment_id"])
    op.create_table(
        "calendly_webhook_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dedupe_key", sa.String(400), nullable=False, unique=True),
        sa.Column("event", sa.String(50), nullable=False),
        sa.Column("invitee_uri", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("appointments.id"), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_appointments_calendly_invitee", "appointments", ["calendly_invitee_uri"])


def downgrade() -> None:
    """Drop the sync tables."""
    op.drop_index("ix_appointments_calendly_invitee", table_name="appointments")
    op.drop_table("calendly_webhook_events")
    op.drop_table("calendly_sync_tasks")
