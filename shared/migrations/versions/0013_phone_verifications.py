"""One-time codes texted to the number on a booking, so a caller proves they are the patient before
anything about an appointment is said or changed.

Revision ID: 0013_phone_verifications
Revises: 0012_hot_path_indexes
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0013_phone_verifications"
down_revision = "0012_hot_path_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table; lookups by number and by caller within the last hour use its indexes."""
    op.create_table(
        "phone_verifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("clinic_id", sa.Integer(), sa.ForeignKey("clinics.id", ondelete="CASCADE"), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("caller", sa.String(40), nullable=False),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("code_salt", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_phone_verifications_phone_created", "phone_verifications", ["phone", "created_at"])
    op.create_index("ix_phone_verifications_caller_created", "phone_verifications", ["caller", "created_at"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_phone_verifications_caller_created", table_name="phone_verifications")
    op.drop_index("ix_phone_verifications_phone_created", table_name="phone_verifications")
    op.drop_table("phone_verifications")
