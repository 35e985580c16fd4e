"""knowledge_base: clinics, doctors, their schedules (reviewed, versioned) and the documents they come
from; it asks calendly which booked appointments a schedule would strand."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.knowledge_base.appointments import BookedAppointments
from services.knowledge_base.document_metrics import documents_by_status
from services.knowledge_base.extraction import Extractor
from services.knowledge_base.settings import KnowledgeBaseSettings
from services.knowledge_base.views import VIEWS
from shared import metrics
from shared.app import create_service_app, service_blueprint
from shared.db import check_database, make_session_factory
from shared.storage import ObjectStore, make_object_store
from shared.wiring import client_from, engine_from

SERVICE = "knowledge_base"
SETTINGS = KnowledgeBaseSettings


@dataclass
class KnowledgeBaseDependencies:
    """What knowledge_base's views use."""

    settings: KnowledgeBaseSettings
    db: sessionmaker[Session]
    objects: ObjectStore
    appointments: BookedAppointments
    extractor: Extractor


def create_app(
    settings: KnowledgeBaseSettings | None = None,
    *,
    engine: Engine | None = None,
    object_store: ObjectStore | None = None,
    http: requests.Session | None = None,
) -> Flask:
    """Build the knowledge_base app; outside clients are built from settings unless passed in."""
    settings = settings or KnowledgeBaseSettings()
    engine = engine_from(settings, engine)
    app = create_service_app(
        SERVICE, settings, service_blueprint(SERVICE, VIEWS), {"database": lambda: check_database(engine)}
    )
    db_factory = make_session_factory(engine)
    metrics.register_state_reader("schedule_documents", lambda: documents_by_status(db_factory=db_factory))
    app.extensions["receptionist"] = KnowledgeBaseDependencies(
        settings, db_factory, object_store or make_object_store(settings),
        BookedAppointments(client_from(settings, http)), Extractor(settings.extraction_budget),
    )
    return app
