"""Production refuses to start without what keeps it safe: real secrets, Postgres, Redis, and the public
base URL Twilio signatures are checked against (else the request's Host header would decide it)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import CommonSettings

PRODUCTION = {"environment": "production", "internal_api_token": "i" * 32, "admin_api_token": "a" * 32,
              "twilio_auth_token": "t" * 32, "database_url": "postgresql+psycopg2://db/receptionist",
              "redis_url": "redis://cache:6379/0", "public_base_url": "https://receptionist.example.com"}


def test_a_complete_production_configuration_is_accepted():
    assert CommonSettings(**PRODUCTION).public_base_url == "https://receptionist.example.com"


@pytest.mark.parametrize("url", [None, "", "http://receptionist.example.com"])
def test_production_requires_an_https_public_base_url(url):
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL"):
        CommonSettings(**{**PRODUCTION, "public_base_url": url})


def test_local_mode_needs_none_of_it():
    assert CommonSettings(environment="local").public_base_url is None
