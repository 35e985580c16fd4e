"""The staff console: staff accounts and their sessions (the console's only tables), and what the
callback queue needs from its owners: on twilio_handler's calls the number a caller asked to be called
back on, who marked the callback done with which note, and an append-only log of who opened a caller's
number; on calendly's webhook events the clinic, doctor and time of a conflict; on messaging's texts
who followed a failure up. Each owner keeps its own "done" state.

Revision ID: 0018_staff_console
Revises: 0017_retention
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0018_staff_console"
down_revision = "0017_retention"
branch_labels = None
depends_on = None

HANDLED = {"handled_at": UTCDateTime(), "handled_by": sa.String(200), "handled_note": sa.Text()}
# (table, {column: type}): nullable columns each owner adds
ADDED: tuple[tuple[str, dict[str, Any]], ...] = (
    ("calls", {"callback_number": sa.String(255), **HANDLED}),
    ("calendly_webhook_events", {"clinic_id": sa.Integer(), "doctor_id": sa.Integer(), "starts_at": UTCDateTime(),
                                 **HANDLED}),
    ("sms_messages", HANDLED),
)
# (name, table, columns, rows it holds): the queues read only what is still open
INDEXES: tuple[tuple[str, str, list[str], str | None], ...] = (
    ("ix_calls_clinic_outcome_started", "calls", ["clinic_id", "outcome", "started_at"], None),
    ("ix_webhook_events_conflicts", "calendly_webhook_events", ["clinic_id", "received_at"], "outcome = 'conflict'"),
    ("ix_sms_messages_clinic_created", "sms_messages", ["clinic_id", "created_at"], None),
)


def upgrade() -> None:
    """Create the staff tables, the calls' callback columns and the caller-number access log."""
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("username", sa.String(200), nullable=False, unique=True),
        sa.Column("clinic_slug", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("oidc_subject", sa.String(200), nullable=True, unique=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('staff', 'manager')", name="ck_staff_accounts_role"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_staff_sessions_account", "staff_sessions", ["account_id"])
    for table, columns in ADDED:
        with op.batch_alter_table(table) as batch:
            for name, kind in columns.items():
                batch.add_column(sa.Column(name, kind, nullable=True))
    for name, table, indexed, where in INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(name, table, indexed, postgresql_where=condition, sqlite_where=condition)
    op.create_table(
        "call_access_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_sid", sa.String(64), sa.ForeignKey("calls.call_sid"), nullable=False),
        sa.Column("staff", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_call_access_log_call", "call_access_log", ["call_sid", "id"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_call_access_log_call", table_name="call_access_log")
    op.drop_table("call_access_log")
    for name, table, _, _ in INDEXES:
        op.drop_index(name, table_name=table)
    for table, columns in ADDED:
        with op.batch_alter_table(table) as batch:
            for name in columns:
                batch.drop_column(name)
    op.drop_index("ix_staff_sessions_account", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_accounts")
