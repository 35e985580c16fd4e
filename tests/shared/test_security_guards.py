"""The three guards of shared/security.py without the rest of the system: Twilio's signature over the
URL Twilio signed and its parameters, the service token and the admin token compared in full, and each
decorator refusing with its own status before the view runs."""

from __future__ import annotations

import pytest
from flask import Flask, request
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import Forbidden, Unauthorized

from shared.security import (
    bearer_token_matches,
    is_valid_twilio_request,
    require_admin_token,
    require_service_token,
    require_twilio_signature,
    twilio_request_url,
)
from shared.settings import CommonSettings

TOKEN = "twilio-auth-token"
FORM = {"CallSid": "CA1", "Digits": "1"}


@pytest.fixture
def app() -> Flask:
    app = Flask("guards")
    app.config["SETTINGS"] = CommonSettings(twilio_auth_token=TOKEN, internal_api_token="service-token-123",
                                            admin_api_token="admin-token-456")
    return app


def signed(url: str, params: dict, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def test_the_signed_url_is_the_public_base_plus_path_and_query(app):
    with app.test_request_context("/voice?x=1&y=2", base_url="http://internal:8080"):
        assert twilio_request_url(request, None) == "http://internal:8080/voice?x=1&y=2"
        assert twilio_request_url(request, "https://voice.example.com/") == "https://voice.example.com/voice?x=1&y=2"
    with app.test_request_context("/voice", base_url="http://internal:8080"):
        assert twilio_request_url(request, "https://voice.example.com") == "https://voice.example.com/voice"


def test_a_twilio_signature_is_valid_only_over_its_url_parameters_and_token(app):
    good = signed("http://localhost/voice", FORM)
    cases = [
        ({"X-Twilio-Signature": good}, FORM, TOKEN, True),
        ({}, FORM, TOKEN, False),
        ({"X-Twilio-Signature": ""}, FORM, TOKEN, False),
        ({"X-Twilio-Signature": good}, {**FORM, "Digits": "2"}, TOKEN, False),
        ({"X-Twilio-Signature": good}, FORM, "another-token", False),
    ]
    for headers, form, token, valid in cases:
        with app.test_request_context("/voice", method="POST", data=form, headers=headers):
            assert is_valid_twilio_request(request, token, None) is valid, (headers, form, token)


@pytest.mark.parametrize("header, valid", [
    ("Bearer service-token-123", True), ("bearer service-token-123", True), ("Bearer  service-token-123 ", True),
    ("Bearer service-token-12", False), ("Bearer service-token-1234", False), ("Token service-token-123", False),
    ("Bearer ", False), ("service-token-123", False), ("", False),
])
def test_bearer_tokens_must_match_in_full(app, header, valid):
    with app.test_request_context("/", headers={"Authorization": header} if header else {}):
        assert bearer_token_matches(request, "service-token-123") is valid


def test_each_decorator_refuses_before_the_view_and_lets_the_right_caller_through(app):
    ran: list[str] = []

    def view():
        ran.append("view")
        return "ok"

    twilio_view, service_view, admin_view = (require_twilio_signature(view), require_service_token(view),
                                             require_admin_token(view))
    with app.test_request_context("/voice", method="POST", data=FORM):
        with pytest.raises(Forbidden):
            twilio_view()
    with app.test_request_context("/voice", method="POST", data=FORM,
                                  headers={"X-Twilio-Signature": signed("http://localhost/voice", FORM)}):
        assert twilio_view() == "ok"
    for guarded, right, wrong in ((service_view, "service-token-123", "admin-token-456"),
                                  (admin_view, "admin-token-456", "service-token-123")):
        with app.test_request_context("/", headers={"Authorization": f"Bearer {wrong}"}):
            with pytest.raises(Unauthorized):
                guarded()
        with app.test_request_context("/"):
            with pytest.raises(Unauthorized):
                guarded()
        with app.test_request_context("/", headers={"Authorization": f"Bearer {right}"}):
            assert guarded() == "ok"
    assert ran == ["view", "view", "view"]
