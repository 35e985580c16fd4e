"""Building outside clients in a service factory from settings, unless the caller passed them in."""

from __future__ import annotations

from typing import Any

import requests
from flask import current_app
from sqlalchemy import Engine

from shared.db import make_engine
from shared.service_client import ServiceClient
from shared.sessions import CallSessionStore, EmbeddedCallSessionStore, RedisCallSessionStore, make_redis


def engine_from(settings, engine: Engine | None) -> Engine:
    """The given engine, or a lazily connecting one for DATABASE_URL."""
    return engine if engine is not None else make_engine(settings.database_url)


def session_store_from(settings, store: CallSessionStore | None) -> CallSessionStore:
    """The given store, Redis when REDIS_URL is set, else the embedded store."""
    if store is not None:
        return store
    if settings.redis_url:
        return RedisCallSessionStore(make_redis(settings.redis_url), settings.session_ttl_seconds)
    return EmbeddedCallSessionStore(settings.session_ttl_seconds)


def client_from(settings, http: requests.Session | None) -> ServiceClient:
    """A service client over the given HTTP session (in-process in local mode) or a new pooled one."""
    return ServiceClient(settings, session=http)


def dependencies() -> Any:
    """The current service's dependency bundle, stored by its create_app."""
    return current_app.extensions["receptionist"]
