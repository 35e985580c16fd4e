"""Join the two branches that both grew from the initial schema (Calendly sync and SMS reliability),
so the history has one head and `downgrade -1` means one thing.

Revision ID: 0009_merge_heads
Revises: 0005_calendly_sync, 0008_sms_reliability
"""

revision = "0009_merge_heads"
down_revision = ("0005_calendly_sync", "0008_sms_reliability")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only joins the history."""


def downgrade() -> None:
    """Nothing to change: the merge only joins the history."""
