"""Retention of one-time codes: a verification's row (the number and caller, encrypted, and its tries) is
kept for VERIFICATION_RETENTION_DAYS (30 by default), long after its code expired and its hour of rate
limits passed, then deleted. `python -m services.calendly.retention` runs one pass (a daily CronJob in
the cluster; the local background jobs in `make run`). The appointment audit log is never purged."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from services.calendly.models import PhoneVerification
from shared.db import transaction

log = logging.getLogger(__name__)
BATCH = 500


def purge_verifications(*, db_factory: sessionmaker[Session], now: datetime, retention: timedelta) -> int:
    """Delete verifications created before `now - retention`, a batch per transaction; returns how many."""
    purged = 0
    while True:
        with transaction(db_factory) as db:
            ids = db.scalars(select(PhoneVerification.id).where(PhoneVerification.created_at < now - retention)
                             .order_by(PhoneVerification.created_at).limit(BATCH)).all()
            if ids:
                db.execute(delete(PhoneVerification).where(PhoneVerification.id.in_(ids)))
        purged += len(ids)
        if len(ids) < BATCH:
            log.info("verifications purged past retention: %d", purged)
            return purged


def run_retention(deps, now: datetime) -> int:
    """One pass with the service's settings."""
    return purge_verifications(db_factory=deps.db, now=now,
                               retention=timedelta(days=deps.settings.verification_retention_days))


def main() -> None:
    """`python -m services.calendly.retention`: one pass."""
    from services.jobs import run_loop, service_dependencies
    from shared.clock import SYSTEM_CLOCK

    deps = service_dependencies("calendly")
    run_loop("services.calendly.retention", lambda: run_retention(deps, SYSTEM_CLOCK.now()), 60.0, ["--once"])


if __name__ == "__main__":
    main()
