"""twilio_handler: where calls begin (greeting, menu) and end (status callback, outcome)."""

from __future__ import annotations

import requests
from flask import Flask
from sqlalchemy import Engine

from services.twilio_handler.rate_limit import CallRateLimiter, Counters, Limits, MemoryCounters, RedisCounters
from services.twilio_handler.settings import TwilioHandlerSettings
from services.twilio_handler.views import VIEWS
from shared import patient_data
from shared.app import create_service_app, service_blueprint
from shared.clock import SYSTEM_CLOCK, Clock
from shared.conversation import CallDependencies
from shared.db import check_database, make_session_factory
from shared.sessions import CallSessionStore, RedisCallSessionStore, make_redis
from shared.wiring import client_from, engine_from, session_store_from

SERVICE = "twilio_handler"
SETTINGS = TwilioHandlerSettings


def create_app(
    settings: TwilioHandlerSettings | None = None,
    *,
    engine: Engine | None = None,
    session_store: CallSessionStore | None = None,
    http: requests.Session | None = None,
    rate_limiter: CallRateLimiter | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build the twilio_handler app; outside clients are built from settings unless passed in."""
    settings = settings or TwilioHandlerSettings()
    patient_data.activate(patient_data.keyring_from(settings))
    clock = clock or SYSTEM_CLOCK
    engine = engine_from(settings, engine)
    sessions = session_store_from(settings, session_store)
    client = client_from(settings, http)
    app = create_service_app(
        SERVICE, settings, service_blueprint(SERVICE, VIEWS),
        {"database": lambda: check_database(engine), "sessions": sessions.ping}, clock,
    )
    app.extensions["receptionist"] = CallDependencies.build(
        settings, sessions, client, clock,
        db=make_session_factory(engine), rate_limiter=rate_limiter or rate_limiter_from(settings, sessions),
    )
    return app


def rate_limiter_from(settings: TwilioHandlerSettings, sessions: CallSessionStore) -> CallRateLimiter:
    """Counters next to the sessions: in their Redis, or in memory with the embedded store."""
    window = settings.voice_rate_limit_window_seconds
    limits = Limits(settings.voice_rate_limit_per_caller, settings.voice_rate_limit_per_clinic,
                    settings.voice_rate_limit_per_prefix, window)
    counters: Counters
    if isinstance(sessions, RedisCallSessionStore):
        counters = RedisCounters(sessions.client, window)
    elif settings.redis_url:
        counters = RedisCounters(make_redis(settings.redis_url), window)
    else:
        counters = MemoryCounters(window)
    return CallRateLimiter(counters, limits)
