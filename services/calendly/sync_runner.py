"""`python -m services.calendly.sync_runner`: pushes queued bookings and cancellations to Calendly
until stopped (`--once` runs one pass). Without CALENDLY_TOKEN there is nothing to push."""

from __future__ import annotations

import logging

from services.calendly.sync import BookingLimits, pending_count, run_once
from shared.db import transaction

log = logging.getLogger(__name__)


def sync_once(deps, limits: BookingLimits) -> int:
    """One pass over the due sync tasks; returns how many were handled."""
    report = run_once(db_factory=deps.db, calendly=deps.calendly, client=deps.client, limits=limits,
                      batch=deps.settings.calendly_sync_batch)
    with transaction(deps.db) as db:
        log.info("calendly sync: %s; %d still pending", report.counts or "nothing due", pending_count(db=db))
    return sum(report.counts.values())


def main(argv: list[str] | None = None) -> None:
    """Run the sync loop."""
    from services.jobs import run_loop, service_dependencies

    deps = service_dependencies("calendly")
    if deps.calendly is None:
        log.warning("CALENDLY_TOKEN is not set: nothing to sync (the local scheduler alone serves)")
        return
    limits = BookingLimits.from_settings(deps.settings)
    run_loop("services.calendly.sync_runner", lambda: sync_once(deps, limits), 15.0, argv)


if __name__ == "__main__":
    main()
