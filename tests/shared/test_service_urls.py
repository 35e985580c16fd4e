"""Where the service client sends a call: a service's own URL (SERVICE_URLS) ahead of the template, so
services on different ports of one host reach each other directly; unknown names fail at start-up."""

from __future__ import annotations

import pytest
import responses
from pydantic import ValidationError

from shared.service_client import ServiceClient
from shared.settings import CommonSettings


def test_a_service_with_its_own_url_is_called_there_and_the_rest_through_the_template():
    settings = CommonSettings(service_url_template="http://{service}:8080",
                              service_urls={"calendly": "http://127.0.0.1:48604/"})
    client = ServiceClient(settings)
    with responses.RequestsMock() as vendor:
        vendor.get("http://127.0.0.1:48604/calendly/availability", json={"slots": []})
        vendor.get("http://knowledge-base:8080/kb/clinics", json=[])
        assert client.get("calendly", "/calendly/availability") == {"slots": []}
        assert client.get("knowledge_base", "/kb/clinics") == []


def test_service_urls_come_from_json_in_the_environment(monkeypatch):
    monkeypatch.setenv("SERVICE_URLS", '{"tts": "http://127.0.0.1:48606"}')
    assert ServiceClient(CommonSettings()).base_url("tts") == "http://127.0.0.1:48606"


def test_an_unknown_service_name_is_refused_at_start_up():
    with pytest.raises(ValidationError, match="unknown services \\['calendar'\\]"):
        CommonSettings(service_urls={"calendar": "http://127.0.0.1:1"})
