"""Twilio signatures on every Twilio-facing route, the service token on every internal route."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from services.all_in_one import create_all_in_one
from shared.routes import ROUTES, Exposure, example_path
from shared.settings import LOCAL_TWILIO_AUTH_TOKEN
from tests.conftest import CALLER, RIVERSIDE_NUMBER

TWILIO_PATHS = [route.path for route in ROUTES if route.exposure is Exposure.TWILIO]
INTERNAL = [route for route in ROUTES if route.exposure is Exposure.INTERNAL]
FORM = {"CallSid": "CA" + "1" * 32, "From": CALLER, "To": RIVERSIDE_NUMBER, "Digits": "1"}


def signature(url: str, params: dict, token: str = LOCAL_TWILIO_AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


@pytest.mark.parametrize("path", TWILIO_PATHS)
def test_missing_or_bad_signature_is_403(system, path):
    assert system.http.post(path, data=FORM).status_code == 403
    forged = signature(f"http://localhost{path}", FORM, token="not-the-token")
    assert system.http.post(path, data=FORM, headers={"X-Twilio-Signature": forged}).status_code == 403


def test_signature_over_other_parameters_is_rejected(system):
    good = signature("http://localhost/voice", FORM)
    tampered = {**FORM, "From": "+16175550000"}
    assert system.http.post("/voice", data=tampered, headers={"X-Twilio-Signature": good}).status_code == 403


def test_good_signature_is_accepted(system):
    response = system.http.post("/voice", data=FORM,
                                headers={"X-Twilio-Signature": signature("http://localhost/voice", FORM)})
    assert response.status_code == 200 and response.mimetype == "text/xml"


def test_behind_a_proxy_the_public_url_is_validated(engine, database, demo_clinics, redis_client, settings_overrides):
    from werkzeug.test import Client

    public = "https://voice.example.com"
    app = create_all_in_one({**settings_overrides, "public_base_url": public}, engine=engine)
    client = Client(app)
    internal_url_signature = signature("http://localhost/voice", FORM)
    assert client.post("/voice", data=FORM, headers={"X-Twilio-Signature": internal_url_signature}).status_code == 403
    public_signature = signature(f"{public}/voice", FORM)
    assert client.post("/voice", data=FORM, headers={"X-Twilio-Signature": public_signature}).status_code == 200


@pytest.mark.parametrize("route", INTERNAL, ids=[route.path for route in INTERNAL])
def test_internal_routes_need_the_service_token(system, route):
    path = example_path(route.path)
    method = route.methods[0]
    for token in (None, "wrong-token"):
        response = system.internal(method, path, token=token)
        assert response.status_code == 401
        assert "token" in response.get_json()["message"]


def test_internal_api_with_token_answers_json_errors(system):
    response = system.internal("POST", "/calendly/appointments/search", json={"phone": "not-a-phone"})
    assert response.status_code == 422 and "phone" in response.get_json()["fields"]
    response = system.internal("POST", "/calendly/appointments", data="not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_json"
    response = system.internal("GET", "/kb/clinics/nowhere")
    assert response.status_code == 404 and "nowhere" in response.get_json()["message"]


def test_production_refuses_local_secrets():
    from pydantic import ValidationError

    from shared.settings import CommonSettings

    with pytest.raises(ValidationError, match="INTERNAL_API_TOKEN"):
        CommonSettings(environment="production", database_url="postgresql://db/x", redis_url="redis://r")
