"""Retention: texts' bodies and reply texts can be purged (kept rows, NULL text), and the purge and
the expired verification codes are found by index, not by reading the tables.

Revision ID: 0017_retention
Revises: 0016_appointment_audit
"""

import sqlalchemy as sa
from alembic import op

from shared.patient_data import keyring_from
from shared.settings import CommonSettings

revision = "0017_retention"
down_revision = "0016_appointment_audit"
branch_labels = None
depends_on = None

# (name, table, columns, rows it holds): only rows still to purge, so a purged history costs nothing
INDEXES = (("ix_sms_messages_body_kept", "sms_messages", ["created_at"], "body IS NOT NULL"),
           ("ix_sms_replies_text_kept", "sms_replies", ["created_at"], "reply_text IS NOT NULL"),
           ("ix_phone_verifications_created", "phone_verifications", ["created_at"], None))


def _nullable(table: str, column: str, nullable: bool) -> None:
    with op.batch_alter_table(table) as batch:
        batch.alter_column(column, existing_type=sa.Text(), nullable=nullable)


def upgrade() -> None:
    """Let the text columns be emptied; index what the purge reads."""
    _nullable("sms_messages", "body", True)
    _nullable("sms_replies", "reply_text", True)
    for name, table, columns, where in INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(name, table, columns, postgresql_where=condition, sqlite_where=condition)


def downgrade() -> None:
    """Drop the indexes; purged texts come back as empty strings (a body encrypted, as its column is)."""
    for name, table, _, _ in INDEXES:
        op.drop_index(name, table_name=table)
    # one ciphertext of "" for every purged body: equal plaintexts under one nonce reveal only that they are equal
    empty = keyring_from(CommonSettings()).encrypt("", "sms_messages.body")
    op.execute(sa.text("UPDATE sms_messages SET body = :empty WHERE body IS NULL").bindparams(empty=empty))
    op.execute("UPDATE sms_replies SET reply_text = '' WHERE reply_text IS NULL")
    _nullable("sms_messages", "body", False)
    _nullable("sms_replies", "reply_text", False)
