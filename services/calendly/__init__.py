"""calendly: appointments (the system of record), free slots, the notification outbox, and the
sync with Calendly itself (client, queue, webhooks) when CALENDLY_TOKEN is set."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.calendly.availability_merge import CalendlyAvailability
from services.calendly.calendly_api import CalendlyClient
from services.calendly.outbox import Publisher, publisher_from
from services.calendly.service import DoctorDirectory
from services.calendly.settings import CalendlySettings
from services.calendly.sync import queue_metrics
from services.calendly.views import VIEWS
from services.calendly.webhooks import WEBHOOK_VIEWS
from shared import metrics, patient_data
from shared.app import create_service_app, service_blueprint
from shared.clock import SYSTEM_CLOCK, Clock
from shared.db import check_database, make_session_factory
from shared.service_client import ServiceClient
from shared.wiring import client_from, engine_from

SERVICE = "calendly"
SETTINGS = CalendlySettings


@dataclass
class CalendlyDependencies:
    """What the calendly views use."""

    settings: CalendlySettings
    db: sessionmaker[Session]
    client: ServiceClient
    doctors: DoctorDirectory
    publisher: Publisher
    calendly: CalendlyClient | None = None
    calendly_availability: CalendlyAvailability | None = None


def create_app(
    settings: CalendlySettings | None = None,
    *,
    engine: Engine | None = None,
    http: requests.Session | None = None,
    sqs=None,
    calendly_api: CalendlyClient | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build the calendly app; outside clients (HTTP, SQS) are built from settings unless passed in.

    The Calendly client is built only when CALENDLY_TOKEN is set; without it the local scheduler
    alone serves.
    """
    settings = settings or CalendlySettings()
    patient_data.activate(patient_data.keyring_from(settings))
    engine = engine_from(settings, engine)
    client = client_from(settings, http)
    calendly_api = calendly_api or CalendlyClient.from_settings(settings)
    app = create_service_app(
        SERVICE, settings, service_blueprint(SERVICE, {**VIEWS, **WEBHOOK_VIEWS}),
        {"database": lambda: check_database(engine)}, clock,
    )
    db_factory = make_session_factory(engine)
    now = (clock or SYSTEM_CLOCK).now
    metrics.register_state_reader("calendly_sync", lambda: queue_metrics(db_factory=db_factory, now=now()))
    doctors = DoctorDirectory(client, settings.clinic_cache_ttl_seconds, settings.cache_max_entries)
    app.extensions["receptionist"] = CalendlyDependencies(
        settings, db_factory, client, doctors, publisher_from(settings, client, sqs),
        calendly_api,
        CalendlyAvailability(calendly_api, settings.calendly_availability_cache_seconds, settings.cache_max_entries)
        if calendly_api else None,
    )
    return app
