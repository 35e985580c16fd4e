"""Management commands: `python -m tools.manage migrate|load-demo|reencrypt|new-key|create-staff|demo-staff`
(`--help` on each)."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from sqlalchemy import Engine

from services.knowledge_base.settings import KnowledgeBaseSettings
from shared import patient_data
from shared.db import make_engine, make_session_factory, migrate
from shared.log import configure_logging
from shared.storage import LocalObjectStore, make_object_store

log = logging.getLogger("manage")


def load_demo(settings: KnowledgeBaseSettings) -> list[str]:
    """Load the demo clinics, reading their doctors from the sample schedule PDFs."""
    from services.knowledge_base.ingest import UploadLimits
    from services.knowledge_base.service import load_demo_clinics

    engine = make_engine(settings.database_url)
    try:
        return load_demo_clinics(db=make_session_factory(engine), objects=make_object_store(settings),
                                 limits=UploadLimits(settings.max_upload_bytes, settings.max_pdf_pages))
    finally:
        engine.dispose()


def local_demo_database(folder: str | Path) -> tuple[str, Engine]:
    """A migrated SQLite database in `folder` with the demo clinics loaded (benchmarks, local tests)."""
    from services.knowledge_base.service import load_demo_clinics

    url = f"sqlite:///{Path(folder) / 'receptionist.db'}"
    migrate(url)
    engine = make_engine(url)
    load_demo_clinics(db=make_session_factory(engine), objects=LocalObjectStore(Path(folder) / "objects"))
    return url, engine


def reencrypt(settings, *, batch_size: int = 500, tables: list[str] | None = None) -> dict[str, int]:
    """Bring every encrypted column to the current keys (after a rotation); rows rewritten per table."""
    from services import all_models

    keyring = patient_data.keyring_from(settings)
    engine = make_engine(settings.database_url)
    try:
        return {spec.name: patient_data.rewrite_table(engine.begin, spec, keyring, batch_size=batch_size)
                for spec in patient_data.encrypted_tables(all_models()) if not tables or spec.name in tables}
    finally:
        engine.dispose()


def new_key(settings, key_id: str, *, index: bool, kms_key_id: str | None = None) -> str:
    """A new key as a JSON member to add to PATIENT_DATA_KEYS (PATIENT_INDEX_KEYS with `index`), made and
    wrapped by KMS when a KMS key is named (PATIENT_DATA_KMS_KEY_ID or `kms_key_id`), else random."""
    import json

    if not patient_data.KEY_ID.match(key_id):
        raise SystemExit(f"key ids are 1-16 of A-Z a-z 0-9 _ -, not {key_id!r}")
    kms_key_id = kms_key_id or settings.patient_data_kms_key_id
    if kms_key_id:
        import boto3

        value = patient_data.wrap_new_key(boto3.client("kms", region_name=settings.aws_region), kms_key_id, key_id,
                                          index=index)
    else:
        value = patient_data.encode_key(patient_data.new_key())
    return json.dumps({key_id: value})


# The demo staff logins `make run` prints: local mode only (load-demo refuses them in production).
DEMO_STAFF = (("riverside", "manager@riverside", "manager", "riverside-demo-pass"),
              ("harbor-dental", "manager@harbor", "manager", "harbor-dental-demo-pass"))


def create_staff(settings, *, username: str, clinic: str, role: str, password: str | None,
                 oidc_subject: str | None = None) -> str:
    """Add a staff account; its opaque id (what audit logs show)."""
    from services.staff_console.accounts import create_account
    from shared.db import transaction

    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            return create_account(db=db, username=username, clinic_slug=clinic, role=role, password=password,
                                  oidc_subject=oidc_subject).public_id
    finally:
        engine.dispose()


def demo_staff(settings) -> list[tuple[str, str, str]]:
    """Make sure each demo clinic has its demo manager (password reset to the demo one): (clinic, user, password)."""
    from sqlalchemy import select

    from services.staff_console.accounts import HASHER, create_account
    from services.staff_console.models import StaffAccount
    from shared.db import transaction

    if settings.environment == "production":
        raise SystemExit("demo staff accounts are for local mode only")
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            for clinic, username, role, password in DEMO_STAFF:
                account = db.scalars(select(StaffAccount).where(StaffAccount.username == username)).first()
                if account is None:
                    create_account(db=db, username=username, clinic_slug=clinic, role=role, password=password)
                else:
                    account.password_hash, account.failed_logins, account.locked_until = HASHER.hash(password), 0, None
    finally:
        engine.dispose()
    return [(clinic, username, password) for clinic, username, _, password in DEMO_STAFF]


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations to DATABASE_URL")
    commands.add_parser("load-demo", help="load the demo clinics")
    rotate = commands.add_parser("reencrypt", help="re-encrypt and re-index patient data under the current keys "
                                 "(resumable: rows already current are skipped)")
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    rotate.add_argument("--table", action="append", help="only this table (repeatable)")
    making = commands.add_parser("new-key", help="print a new patient data key (wrapped by KMS when one is named)")
    making.add_argument("key_id", help="its id, e.g. 2027-01 (1-16 of A-Z a-z 0-9 _ -)")
    making.add_argument("--index", action="store_true", help="a blind index key (PATIENT_INDEX_KEYS)")
    making.add_argument("--kms-key-id", help="KMS key to wrap it with (default PATIENT_DATA_KMS_KEY_ID)")
    staff = commands.add_parser("create-staff", help="add a staff console account for one clinic")
    staff.add_argument("username", help="login name (e.g. an e-mail address)")
    staff.add_argument("--clinic", required=True, help="the clinic's slug")
    staff.add_argument("--role", choices=("staff", "manager"), default="staff")
    staff.add_argument("--oidc-subject", help="the e-mail or subject the ALB's OIDC identity carries")
    staff.add_argument("--no-password", action="store_true", help="sign in only through the ALB's OIDC")
    commands.add_parser("demo-staff", help="create (or reset) the demo clinics' staff logins and print them")
    args = parser.parse_args(argv)
    settings = KnowledgeBaseSettings()
    configure_logging("manage", settings.log_level, "text")
    if args.command == "migrate":
        migrate(settings.database_url)
        log.info("database migrated")
    elif args.command == "load-demo":
        log.info("loaded demo clinics: %s", ", ".join(load_demo(settings)))
    elif args.command == "reencrypt":
        counts = reencrypt(settings, batch_size=args.batch_size, tables=args.table)
        log.info("rows rewritten under the current keys: %s",
                 ", ".join(f"{name} {count}" for name, count in counts.items()))
    elif args.command == "create-staff":
        password = None if args.no_password else (
            getpass.getpass("Password (12+ characters): ") if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\n"))
        public_id = create_staff(settings, username=args.username, clinic=args.clinic, role=args.role,
                                 password=password, oidc_subject=args.oidc_subject)
        print(f"created {args.role} {args.username} of {args.clinic} ({public_id})")
    elif args.command == "demo-staff":
        for clinic, username, password in demo_staff(settings):
            print(f"staff console demo login for {clinic}: {username} / {password}")
    else:
        print(new_key(settings, args.key_id, index=args.index, kms_key_id=args.kms_key_id))


if __name__ == "__main__":
    main()
