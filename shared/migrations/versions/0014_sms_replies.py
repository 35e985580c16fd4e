"""Patients' SMS replies, each applied once (by MessageSid) to the appointment of the text it answers.

Revision ID: 0014_sms_replies
Revises: 0013_phone_verifications
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0014_sms_replies"
down_revision = "0013_phone_verifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "sms_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("answered_message_id", sa.Integer(), sa.ForeignKey("sms_messages.id"), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("sms_replies")
