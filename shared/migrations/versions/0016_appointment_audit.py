"""The appointment audit log: every read or change of an appointment through the API, append-only.

The database itself refuses to change or remove an entry: a trigger on Postgres and on SQLite raises
on UPDATE and DELETE (emptying the table is left to its owner, as for any table: TRUNCATE).

Revision ID: 0016_appointment_audit
Revises: 0015_patient_data_encryption
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0016_appointment_audit"
down_revision = "0015_patient_data_encryption"
branch_labels = None
depends_on = None

REFUSAL = "appointment_audit is append-only"
POSTGRES_GUARD = f"""
CREATE FUNCTION appointment_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER appointment_audit_append_only BEFORE UPDATE OR DELETE ON appointment_audit
FOR EACH ROW EXECUTE FUNCTION appointment_audit_append_only();
"""
SQLITE_GUARD = """
CREATE TRIGGER appointment_audit_no_{event} BEFORE {event} ON appointment_audit
BEGIN
    SELECT RAISE(ABORT, '{refusal}');
END;
"""


def upgrade() -> None:
    """Create the table, its index per appointment, and the guard."""
    op.create_table(
        "appointment_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("call_sid", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_appointment_audit_appointment", "appointment_audit", ["appointment_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_GUARD)
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(SQLITE_GUARD.format(event=event, refusal=REFUSAL))


def downgrade() -> None:
    """Drop the table (its triggers go with it) and the Postgres guard function."""
    op.drop_index("ix_appointment_audit_appointment", table_name="appointment_audit")
    op.drop_table("appointment_audit")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION appointment_audit_append_only()")
