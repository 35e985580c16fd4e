"""Patient data encrypted at rest, phone numbers looked up by blind index (shared/patient_data.py).

Encrypts the existing names, phone numbers, e-mail addresses, addresses, text bodies, call and
verification numbers and outbox payloads under the current data key, fills the new blind index
columns (appointments.patient_phone_hash, phone_verifications.phone_hash / caller_hash,
sms_messages.to_hash, and sms_opt_outs.phone_hash, which becomes that table's key), and moves the
phone indexes onto them. Downgrade decrypts everything and puts the plain indexes back.

The keys are the settings' (PATIENT_DATA_KEYS, ...; the local generated ones outside production), so
this migration runs with the same settings as the services. Every row is rewritten in this
migration's transaction, so its indexes are built in it too (CONCURRENTLY would save no lock). Rows a
previous release writes while the new one rolls out stay plain until `python -m tools.manage
reencrypt` runs (docs/operations.md).

Revision ID: 0015_patient_data_encryption
Revises: 0014_sms_replies
"""

from contextlib import nullcontext

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.patient_data import EncryptedTable, keyring_from, rewrite_table
from shared.settings import CommonSettings

revision = "0015_patient_data_encryption"
down_revision = "0014_sms_replies"
branch_labels = None
depends_on = None

HASH = sa.String(100)
# (table, column, plain type before): columns whose declared length a ciphertext outgrows
WIDENED = (("appointments", "patient_name", sa.String(200)), ("appointments", "patient_phone", sa.String(20)),
           ("appointments", "patient_email", sa.String(254)), ("phone_verifications", "phone", sa.String(20)),
           ("phone_verifications", "caller", sa.String(40)), ("sms_messages", "to_number", sa.String(20)),
           ("sms_opt_outs", "phone", sa.String(20)), ("calls", "caller", sa.String(20)))
# (table, column) -> the blind index column added for it
INDEXED = {("appointments", "patient_phone"): "patient_phone_hash", ("phone_verifications", "phone"): "phone_hash",
           ("phone_verifications", "caller"): "caller_hash", ("sms_messages", "to_number"): "to_hash"}
# (name, table, plain columns, hashed columns)
INDEXES = (("ix_appointments_phone_start", "appointments", ["patient_phone", "starts_at"],
            ["patient_phone_hash", "starts_at"]),
           ("ix_phone_verifications_phone_created", "phone_verifications", ["phone", "created_at"],
            ["phone_hash", "created_at"]),
           ("ix_phone_verifications_caller_created", "phone_verifications", ["caller", "created_at"],
            ["caller_hash", "created_at"]),
           ("ix_sms_to_number", "sms_messages", ["to_number"], None),
           ("ix_sms_to_hash", "sms_messages", None, ["to_hash"]))


def _spec(table: str, key: str, *columns: str) -> EncryptedTable:
    indexes = {INDEXED[(table, name)]: name for name in columns if (table, name) in INDEXED}
    return EncryptedTable(table, key, {name: f"{table}.{name}" for name in columns}, indexes)


TABLES = (_spec("appointments", "id", "patient_name", "patient_phone", "patient_email", "patient_address"),
          _spec("phone_verifications", "id", "phone", "caller"),
          _spec("sms_messages", "id", "to_number", "body"),
          _spec("calls", "call_sid", "caller"),
          _spec("notification_outbox", "id", "payload"))
OPT_OUTS = EncryptedTable("sms_opt_outs", "phone", {"phone": "sms_opt_outs.phone"}, {"phone_hash": "phone"})


def _on_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rewrite(spec: EncryptedTable, *, to_plain: bool = False) -> None:
    rewrite_table(lambda: nullcontext(op.get_bind()), spec, keyring_from(CommonSettings()), to_plain=to_plain)


def _payload_type(new_type) -> None:
    """notification_outbox.payload between JSON (plain) and text (encrypted)."""
    if _on_postgres():
        op.alter_column("notification_outbox", "payload", type_=new_type,
                        postgresql_using=f"payload::{'json' if new_type is sa.JSON else 'text'}")
        return
    # SQLite rebuilds the table; its partial index is made again so it keeps its WHERE
    op.drop_index("ix_outbox_undelivered_appointment", table_name="notification_outbox")
    with op.batch_alter_table("notification_outbox") as batch:
        batch.alter_column("payload", type_=new_type)
    op.create_index("ix_outbox_undelivered_appointment", "notification_outbox", ["appointment_id"],
                    sqlite_where=sa.text("delivered_at IS NULL"))


def _opt_outs_keyed_by(key: str) -> None:
    """Rebuild sms_opt_outs with `key` (phone or phone_hash) as its primary key (same on both databases)."""
    hashed = key == "phone_hash"
    op.create_table(
        "sms_opt_outs_new",
        (sa.Column("phone_hash", HASH, primary_key=True) if hashed
         else sa.Column("phone", sa.String(20), primary_key=True)),
        *([sa.Column("phone", sa.String(), nullable=False)] if hashed else []),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    columns = "phone_hash, phone" if hashed else "phone"
    op.execute(f"INSERT INTO sms_opt_outs_new ({columns}, opted_out, source, created_at, updated_at) "
               f"SELECT {columns}, opted_out, source, created_at, updated_at FROM sms_opt_outs")
    op.drop_table("sms_opt_outs")
    op.rename_table("sms_opt_outs_new", "sms_opt_outs")


def upgrade() -> None:
    """Widen, add the hash columns, encrypt every row, then index the hashes."""
    if _on_postgres():
        for table, name, _ in WIDENED:
            op.alter_column(table, name, type_=sa.String())
    for (table, _), name in INDEXED.items():
        op.add_column(table, sa.Column(name, HASH, nullable=True))
    op.add_column("sms_opt_outs", sa.Column("phone_hash", HASH, nullable=True))
    _payload_type(sa.Text)
    for spec in (*TABLES, OPT_OUTS):
        _rewrite(spec)
    _opt_outs_keyed_by("phone_hash")
    for name, table, plain, hashed in INDEXES:
        if plain:
            op.drop_index(name, table_name=table)
        if hashed:
            op.create_index(name, table, hashed)


def downgrade() -> None:
    """Decrypt every row, put the plain indexes and types back, drop the hash columns."""
    for spec in (*TABLES, EncryptedTable("sms_opt_outs", "phone_hash", {"phone": "sms_opt_outs.phone"})):
        _rewrite(spec, to_plain=True)
    _opt_outs_keyed_by("phone")
    for name, table, plain, hashed in INDEXES:
        if hashed:
            op.drop_index(name, table_name=table)
        if plain:
            op.create_index(name, table, plain)
    for (table, _), name in INDEXED.items():
        op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")  # plain DROP COLUMN: Postgres and SQLite >= 3.35
    _payload_type(sa.JSON)
    if _on_postgres():
        for table, name, plain_type in WIDENED:
            op.alter_column(table, name, type_=plain_type)
