"""messaging: SMS messages, sent exactly once, and their delivery state."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.messaging.senders import LocalOutboxSender, SmsSender
from services.messaging.settings import MessagingSettings
from services.messaging.views import VIEWS
from shared.app import create_service_app, service_blueprint
from shared.db import check_database, make_session_factory
from shared.wiring import engine_from

SERVICE = "messaging"
SETTINGS = MessagingSettings


@dataclass
class MessagingDependencies:
    """What the messaging views use."""

    settings: MessagingSettings
    db: sessionmaker[Session]
    sender: SmsSender


def create_app(
    settings: MessagingSettings | None = None,
    *,
    engine: Engine | None = None,
    sms_sender: SmsSender | None = None,
) -> Flask:
    """Build the messaging app; the local outbox is the sender unless one is passed in."""
    settings = settings or MessagingSettings()
    engine = engine_from(settings, engine)
    app = create_service_app(
        SERVICE, settings, service_blueprint(SERVICE, VIEWS), {"database": lambda: check_database(engine)}
    )
    app.extensions["receptionist"] = MessagingDependencies(
        settings, make_session_factory(engine), sms_sender or LocalOutboxSender()
    )
    return app
