"""Retention of texts: a text's body and a patient's reply text are kept for SMS_BODY_RETENTION_DAYS
(30 by default), then emptied (NULL); the rows stay, with their status, ids and times, so delivery
history and exactly-once keys outlive what the texts said. `python -m services.messaging.retention`
runs one pass (a daily CronJob in the cluster; the local background jobs in `make run`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.models import PENDING, SENDING, UNKNOWN, SmsMessage, SmsReply
from shared.db import transaction

log = logging.getLogger(__name__)
IN_FLIGHT = (PENDING, SENDING, UNKNOWN)  # a body is still needed to send or reconcile the text
BATCH = 500


def _purge(db_factory: sessionmaker[Session], model, text_column, cutoff: datetime, *extra) -> int:
    """Empty `text_column` of the rows created before `cutoff`, a batch per transaction; returns how many."""
    purged = 0
    while True:
        with transaction(db_factory) as db:
            ids = db.scalars(select(model.id).where(text_column.is_not(None), model.created_at < cutoff, *extra)
                             .order_by(model.created_at).limit(BATCH)).all()
            if ids:
                db.execute(update(model).where(model.id.in_(ids)).values({text_column.key: None}))
        purged += len(ids)
        if len(ids) < BATCH:
            return purged


def purge_texts(*, db_factory: sessionmaker[Session], now: datetime, retention: timedelta) -> dict[str, int]:
    """Empty the bodies of texts and replies older than `retention`; texts still being sent keep theirs."""
    cutoff = now - retention
    purged = {"texts": _purge(db_factory, SmsMessage, SmsMessage.body, cutoff, SmsMessage.status.not_in(IN_FLIGHT)),
              "replies": _purge(db_factory, SmsReply, SmsReply.reply_text, cutoff)}
    log.info("texts purged past retention: %d bodies, %d replies", purged["texts"], purged["replies"])
    return purged


def run_retention(deps, now: datetime) -> int:
    """One pass with the service's settings; how many rows were emptied."""
    return sum(purge_texts(db_factory=deps.db, now=now,
                           retention=timedelta(days=deps.settings.sms_body_retention_days)).values())


def main() -> None:
    """`python -m services.messaging.retention`: one pass."""
    from services.jobs import run_loop, service_dependencies
    from shared.clock import SYSTEM_CLOCK

    deps = service_dependencies("messaging")
    run_loop("services.messaging.retention", lambda: run_retention(deps, SYSTEM_CLOCK.now()), 60.0, ["--once"])


if __name__ == "__main__":
    main()
