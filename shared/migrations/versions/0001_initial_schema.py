"""Initial schema: clinics, doctors, documents, appointments, outbox, calls, SMS messages.

Revision ID: 0001_initial_schema
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0001_initial_schema"
down_revision = None
branch_labels = None
depends_on = None

# SQLite has no exclusion constraints; these triggers give the same guarantee, because SQLite runs
# one writer at a time and the trigger sees every committed booking.
_SQLITE_OVERLAP_CHECK = """
CREATE TRIGGER appointments_no_overlap_{event}
BEFORE {event} ON appointments
WHEN NEW.status = 'booked'
BEGIN
    SELECT RAISE(ABORT, 'appointments_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.doctor_id = NEW.doctor_id AND a.status = 'booked' AND a.id IS NOT NEW.id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    );
END;
"""


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    """Create every table with its constraints."""
    op.create_table(
        "clinics",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("staff_number", sa.String(20), nullable=False),
        sa.Column("greeting", sa.Text, nullable=True),
        sa.Column("voice", sa.JSON, nullable=False),
        sa.Column("slot_minutes", sa.Integer, nullable=False, server_default="30"),
        sa.Column("min_lead_minutes", sa.Integer, nullable=False, server_default="120"),
        sa.Column("horizon_days", sa.Integer, nullable=False, server_default="60"),
        sa.Column("booking_email", sa.String(254), nullable=True),
        sa.Column("options", sa.JSON, nullable=False),
        *_timestamps(),
    )
    op.create_table(
        "clinic_numbers",
        sa.Column("number", sa.String(20), primary_key=True),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_table(
        "doctors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("weekly_hours", sa.JSON, nullable=False),
        sa.Column("exceptions", sa.JSON, nullable=False),
        sa.Column("calendly_event_type", sa.String(300), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        *_timestamps(),
        sa.UniqueConstraint("clinic_id", "name", name="uq_doctors_clinic_name"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(300), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("page_count", sa.Integer, nullable=True),
        sa.Column("errors", sa.JSON, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("clinic_id", "sha256", name="uq_documents_clinic_sha256"),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id"), nullable=False),
        sa.Column("doctor_id", sa.Integer, sa.ForeignKey("doctors.id"), nullable=False),
        sa.Column("patient_name", sa.String(200), nullable=False),
        sa.Column("patient_phone", sa.String(20), nullable=False),
        sa.Column("patient_email", sa.String(254), nullable=True),
        sa.Column("patient_address", sa.Text, nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("call_sid", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("calendly_invitee_uri", sa.String(300), nullable=True),
        sa.Column("calendly_event_uri", sa.String(300), nullable=True),
        sa.Column("cancel_url", sa.String(300), nullable=True),
        sa.Column("reschedule_url", sa.String(300), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("ends_at > starts_at", name="ck_appointments_positive_length"),
        sa.CheckConstraint(
            "status IN ('booked', 'cancelled', 'completed', 'no_show')", name="ck_appointments_status"
        ),
    )
    op.create_index("ix_appointments_patient_phone", "appointments", ["clinic_id", "patient_phone"])
    op.create_index("ix_appointments_doctor_start", "appointments", ["doctor_id", "starts_at"])
    op.create_index("ix_appointments_call_sid", "appointments", ["call_sid"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT appointments_no_overlap "
            "EXCLUDE USING gist (doctor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status = 'booked')"
        )
    else:
        op.execute(_SQLITE_OVERLAP_CHECK.format(event="INSERT"))
        op.execute(_SQLITE_OVERLAP_CHECK.format(event="UPDATE"))
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_outbox_pending", "notification_outbox", ["delivered_at", "id"])
    op.create_table(
        "calls",
        sa.Column("call_sid", sa.String(64), primary_key=True),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id"), nullable=True),
        sa.Column("caller", sa.String(20), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("duration_seconds", sa.Integer, nullable=True),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("twilio_status", sa.String(20), nullable=True),
        sa.Column("steps", sa.JSON, nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_calls_clinic_started", "calls", ["clinic_id", "started_at"])
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("clinic_id", sa.Integer, sa.ForeignKey("clinics.id"), nullable=True),
        sa.Column("appointment_id", sa.Integer, nullable=True),
        sa.Column("to_number", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("twilio_sid", sa.String(64), nullable=True, unique=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_sms_to_number", "sms_messages", ["to_number"])


def downgrade() -> None:
    """Drop every table."""
    for table in ("sms_messages", "calls", "notification_outbox", "appointments", "documents",
                  "doctors", "clinic_numbers", "clinics"):
        op.drop_table(table)
