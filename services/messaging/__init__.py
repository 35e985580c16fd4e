"""messaging: SMS messages, sent exactly once, their delivery state, and patients' replies."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.delivery import RetryPolicy
from services.messaging.senders import SmsSender, sender_from
from services.messaging.settings import MessagingSettings
from services.messaging.views import VIEWS
from shared import patient_data
from shared.app import create_service_app, service_blueprint
from shared.db import check_database, make_session_factory
from shared.service_client import ServiceClient
from shared.wiring import client_from, engine_from

SERVICE = "messaging"
SETTINGS = MessagingSettings


@dataclass
class MessagingDependencies:
    """What the messaging views and worker use."""

    settings: MessagingSettings
    db: sessionmaker[Session]
    sender: SmsSender
    client: ServiceClient
    policy: RetryPolicy


def create_app(
    settings: MessagingSettings | None = None,
    *,
    engine: Engine | None = None,
    http: requests.Session | None = None,
    sms_sender: SmsSender | None = None,
) -> Flask:
    """Build the messaging app; Twilio is the sender when configured, else the printed local outbox."""
    settings = settings or MessagingSettings()
    patient_data.activate(patient_data.keyring_from(settings))
    engine = engine_from(settings, engine)
    app = create_service_app(
        SERVICE, settings, service_blueprint(SERVICE, VIEWS), {"database": lambda: check_database(engine)}
    )
    app.extensions["receptionist"] = MessagingDependencies(
        settings, make_session_factory(engine), sender_from(settings, sms_sender), client_from(settings, http),
        RetryPolicy.from_settings(settings),
    )
    return app
