"""Schedule documents by status as a gauge, read from the documents table at scrape time."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.knowledge_base.models import Document


def documents_by_status(*, db_factory: sessionmaker[Session]) -> list[GaugeMetricFamily]:
    """How many uploaded schedule documents are in each status (parsed, failed, ...)."""
    with db_factory() as db:
        counts = db.execute(select(Document.status, func.count()).group_by(Document.status)).all()
    family = GaugeMetricFamily("receptionist_schedule_documents", "Uploaded schedule documents by status",
                               labels=["status"])
    for status, count in sorted(counts):
        family.add_metric([status], count)
    return [family]
