"""Every internal and admin API in the route table, given random JSON bodies, query strings and path
parameters with the right token, answers 2xx or a 4xx JSON error with a message: never a 5xx."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.routes import ROUTES, Exposure
from shared.settings import LOCAL_ADMIN_TOKEN, LOCAL_INTERNAL_TOKEN
from tests.hostile.strategies import hostile_text, plausible_bodies, query_params

API_ROUTES = [(route.path, method, route.exposure) for route in ROUTES
              if route.exposure in (Exposure.INTERNAL, Exposure.ADMIN) for method in route.methods]
RANDOM = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def path_values() -> st.SearchStrategy[dict[str, str]]:
    """Values for path parameters: ints of any size for int converters, hostile text for the rest."""
    return st.fixed_dictionaries({
        "int": st.one_of(st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10**40)).map(str),
        "text": hostile_text(60).filter(bool).map(lambda value: quote(value, safe="")),
    })


def concrete(path: str, values: dict[str, str]) -> str:
    """The route's path with its parameters filled in."""
    return _PARAMETER.sub(lambda match: values["int"] if match.group(1) == "int" else values["text"], path)


def assert_clear_answer(response) -> None:
    """2xx, or 4xx with a JSON message; never 5xx."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], \
            response.get_data(as_text=True)[:300]


def token_for(exposure: Exposure) -> str:
    return LOCAL_ADMIN_TOKEN if exposure is Exposure.ADMIN else LOCAL_INTERNAL_TOKEN


@pytest.mark.parametrize(("path", "method", "exposure"), API_ROUTES)
@RANDOM
@given(body=plausible_bodies(), query=query_params(), values=path_values())
def test_random_requests_get_a_clear_answer(system, path, method, exposure, body, query, values):
    target = concrete(path, values)
    if method == "GET":
        response = system.internal(method, target, token=token_for(exposure), query_string=query)
    else:
        response = system.internal(method, target, token=token_for(exposure), json=body, query_string=query)
    assert_clear_answer(response)


@pytest.mark.parametrize(("path", "method", "exposure"), [item for item in API_ROUTES if item[1] != "GET"])
@pytest.mark.parametrize("raw", [b"", b"{", b"[1, 2", b"\xff\xfe\x00", b"null", b'"text"', b"{}" * 5000])
def test_broken_json_gets_a_clear_answer(system, path, method, exposure, raw):
    target = concrete(path, {"int": "1", "text": "riverside"})
    response = system.internal(method, target, token=token_for(exposure), data=raw,
                               content_type="application/json")
    assert_clear_answer(response)


SIGNING_KEY = "hostile-signing-key"


@pytest.fixture
def signed_webhooks(engine, database, demo_clinics, redis_client, settings_overrides):
    """The whole system with a Calendly webhook signing key, so signed junk reaches the handler."""
    import io

    from werkzeug.test import Client

    from services.all_in_one import create_all_in_one
    from services.messaging.senders import LocalOutboxSender
    from shared.sessions import RedisCallSessionStore

    app = create_all_in_one({**settings_overrides, "calendly_webhook_signing_key": SIGNING_KEY}, engine=engine,
                            session_store=RedisCallSessionStore(redis_client),
                            sms_sender=LocalOutboxSender(io.StringIO()))
    return Client(app)


@RANDOM
@given(body=plausible_bodies(), sign=st.booleans(), stale=st.booleans())
def test_calendly_webhooks_with_random_bodies_get_a_clear_answer(signed_webhooks, body, sign, stale):
    import hashlib
    import hmac
    import json
    import time as clock

    raw = json.dumps(body).encode()
    stamp = int(clock.time()) - (600 if stale else 0)
    signature = hmac.new(SIGNING_KEY.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    headers = {"Calendly-Webhook-Signature": f"t={stamp},v1={signature}"} if sign else {}
    response = signed_webhooks.post("/webhooks/calendly", data=raw, headers=headers, content_type="application/json")
    assert_clear_answer(response)
    if not sign or stale:
        assert response.status_code in (400, 401, 403)


def test_inputs_that_used_to_answer_500_are_clear_4xx(system):
    """Ids past what a row can have, years no clinic books, JSON nested too deeply, an unknown clinic."""
    assert system.internal("POST", f"/calendly/appointments/{2**64}/cancel", json={}).status_code == 404
    assert system.internal("GET", f"/kb/doctors/{10**30}").status_code == 404
    for year in ("9999-12-31T10:00:00+00:00", "0001-01-01T10:00:00+00:00"):
        answer = system.internal("GET", "/calendly/availability", query_string={"doctor_id": 1, "near": year})
        assert answer.status_code == 422 and answer.is_json
    deep = "[" * 100_000 + "]" * 100_000
    answer = system.internal("POST", "/agent/interpret", data=deep, content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_json"
    answer = system.internal("POST", "/messaging/sms", json={
        "idempotency_key": "k" * 10, "kind": "verification_code", "to": "+16175550123", "clinic_id": 999999,
        "clinic_name": "Nowhere", "code": "123456"})
    assert answer.status_code == 422 and answer.get_json()["error"] == "unknown_reference"


def test_an_absurd_deadline_header_is_ignored_not_a_500(system):
    answer = system.http.get("/kb/clinics/riverside", headers={"Authorization": "Bearer local-internal-token",
                                                               "X-Deadline-Ms": "9" * 400})
    assert answer.status_code == 200
    unsigned = system.http.post("/voice", data={"CallSid": "CA1"}, headers={"X-Deadline-Ms": "9" * 400})
    assert unsigned.status_code == 403 and unsigned.mimetype == "text/xml"


def test_twilio_routes_answer_twiml_even_for_a_body_over_the_limit(system):
    answer = system.http.post("/voice", data={"CallSid": "CA1", "Junk": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413 and answer.mimetype == "text/xml" and b"<Response" in answer.data
