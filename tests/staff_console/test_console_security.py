"""The console alone, the other services faked: sign-in with argon2 hashes and lockout, Secure HttpOnly
SameSite cookies, sessions that end when idle, CSRF on every form, a strict CSP, one clinic per
member, managers only for schedules, the staff member's opaque id (never a name) to the services, no
patient data in URLs, and the ALB's OIDC identity verified with its ES256 key."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from services.staff_console import create_app
from services.staff_console.models import StaffAccount, StaffSession
from services.staff_console.oidc import AlbKeys
from services.staff_console.settings import StaffConsoleSettings
from shared.db import transaction
from tests.staff_console import fakes
from tests.staff_console.conftest import PASSWORD, Browser


@pytest.fixture
def backends():
    """The other services, faked."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fakes.install(mock)
        yield mock


def console_app(settings_overrides, database, clock, **settings):
    """The console on its own (the test database for its tables, fakes for everything else)."""
    return create_app(StaffConsoleSettings(**{**settings_overrides, **settings}), engine=database,
                      http=requests.Session(), clock=clock)


@pytest.fixture
def console(settings_overrides, database, clock, accounts, backends):
    """A browser on the console alone."""
    return Browser(console_app(settings_overrides, database, clock))


def test_login_sets_a_secure_httponly_samesite_session_cookie_and_pages_carry_a_strict_csp(console, accounts):
    response = console.login(accounts.manager)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/today"
    cookie = next(value for value in response.headers.get_all("Set-Cookie")
                  if value.startswith("__Host-staff_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    page = console.get("/staff/today")
    assert page.status_code == 200 and "Jordan Smith" in page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True) and " style=" not in page.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_hashes(console, accounts, db_factory):
    with transaction(db_factory) as db:
        stored = db.scalars(select(StaffAccount.password_hash).where(StaffAccount.username == accounts.staff)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_pages_need_a_login(console):
    response = console.get("/staff/today")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(console, accounts, clock):
    for _ in range(4):
        assert console.login(accounts.staff, "wrong password!").status_code == 401
    locked = console.login(accounts.staff, "wrong password!")
    assert locked.status_code == 423 and "locked" in locked.get_data(as_text=True)
    assert console.login(accounts.staff).status_code == 423, "the right password does not open a locked account"
    clock.advance(minutes=16)
    assert console.login(accounts.staff).status_code == 303, "the lock ends after the lockout period"


def test_an_unknown_user_is_told_the_same_as_a_wrong_password(console):
    response = console.login("nobody@nowhere", "whatever password")
    assert response.status_code == 401 and "Wrong username or password." in response.get_data(as_text=True)


def test_a_session_ends_after_the_idle_timeout(console, accounts, clock, db_factory):
    console.login(accounts.manager)
    clock.advance(minutes=29)
    assert console.get("/staff/today").status_code == 200, "used within the idle timeout: still signed in"
    clock.advance(minutes=29)
    assert console.get("/staff/today").status_code == 200, "each use restarts the idle timeout"
    clock.advance(minutes=31)
    response = console.get("/staff/today")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    with transaction(db_factory) as db:
        assert db.scalars(select(StaffSession)).all() == [], "the expired session is deleted"


def test_logout_ends_the_session_for_good(console, accounts):
    console.login(accounts.manager)
    console.page("/staff/today")
    assert console.post("/staff/logout").status_code == 303
    assert console.get("/staff/today").status_code == 303


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_every_form_needs_the_session_csrf_token(console, accounts, backends, token):
    console.login(accounts.manager)
    console.page("/staff/today")
    for path in ("/staff/appointments/501/cancel", "/staff/logout", "/staff/schedule/7/apply",
                 "/staff/book", "/staff/callbacks/CA123/done"):
        response = console.post(path, {"day": "2026-12-07"}, csrf=token)
        assert response.status_code == 400, path
    assert not [call for call in backends.calls if call.request.method == "POST"], "nothing reached a service"


def test_the_login_form_needs_its_own_csrf_token(console, accounts):
    console.page("/staff/login")
    response = console.post("/staff/login", {"username": accounts.manager, "password": PASSWORD}, csrf="other")
    assert response.status_code == 400


def test_a_member_sees_only_their_clinic(console, accounts, backends):
    console.login(accounts.harbor)
    page = console.get("/staff/today").get_data(as_text=True)
    assert "Alex Kim" in page and "Jordan Smith" not in page
    asked = {call.request.url for call in backends.calls}
    assert not [url for url in asked if "riverside" in url or "clinic_id=1&" in url or url.endswith("clinic_id=1")]
    console.page("/staff/today")
    assert console.get("/staff/schedule/7").status_code == 404, "another clinic's schedule document"
    assert console.post("/staff/appointments/501/cancel", {"day": "2026-12-07"}).status_code == 404
    assert not [call for call in backends.calls if call.request.url.endswith("/cancel")]


def test_only_managers_apply_schedules(console, accounts, backends):
    console.login(accounts.staff)
    console.page("/staff/schedule/7")
    assert console.post("/staff/schedule/7/apply").status_code == 403
    assert not [call for call in backends.calls if call.request.url.endswith("/apply")]


def test_services_are_told_the_opaque_staff_id_and_no_patient_data_travels_in_urls(console, accounts, backends,
                                                                                  db_factory):
    with transaction(db_factory) as db:
        public_id = db.scalars(select(StaffAccount.public_id).where(StaffAccount.username == accounts.manager)).one()
    backends.post(re.compile(r".*/calendly/appointments$"), status=201, json={"id": 9})
    console.login(accounts.manager)
    console.page("/staff/book?day=2026-12-07")
    response = console.post("/staff/book", {"doctor_id": "11", "day": "2026-12-07",
                                            "start": "2026-12-07T16:00:00+00:00",
                                            "patient_name": "Casey Jones", "phone": "(617) 555-0177"})
    assert response.status_code == 303 and "notice=booked" in response.headers["Location"]
    booking = next(call for call in backends.calls if call.request.url.endswith("/calendly/appointments"))
    assert json.loads(booking.request.body) == {
        "doctor_id": 11, "start": "2026-12-07T16:00:00+00:00", "source": "console",
        "patient": {"name": "Casey Jones", "phone": "+16175550177"}}
    for call in backends.calls:
        assert call.request.headers["X-Staff-User"] == public_id
        assert "5550177" not in call.request.url and "Casey" not in call.request.url
    assert public_id.startswith("stf_") and accounts.manager not in public_id


def test_admin_apis_get_the_admin_token_and_internal_ones_the_service_token(console, accounts, backends):
    console.login(accounts.manager)
    console.page("/staff/schedule")
    tokens = {call.request.url.split("?")[0].removeprefix("http://in-process"): call.request.headers["Authorization"]
              for call in backends.calls}
    assert tokens["/kb/clinics/riverside/documents"] == "Bearer local-admin-token"
    assert tokens["/kb/clinics/riverside"] == "Bearer local-internal-token"


# --- the ALB's OIDC identity ---------------------------------------------------------------------

SIGNER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/receptionist/abc"


def _key_pair():
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, pem


def _alb_token(private, *, email: str, expires: float, signer: str = SIGNER, kid: str = "kid-1") -> str:
    token = jwt.encode({"sub": "1234", "email": email, "exp": int(expires), "iss": "https://idp.example"},
                       private, algorithm="ES256", headers={"kid": kid, "signer": signer})
    # the ALB pads its segments with '='
    return ".".join(part + "=" * (-len(part) % 4) for part in token.split("."))


@pytest.fixture
def oidc_console(settings_overrides, database, clock, backends, db_factory):
    """The console trusting the ALB's identity, with a locally made ALB key; a Riverside account mapped."""
    from services.staff_console.accounts import create_account

    private, pem = _key_pair()
    with transaction(db_factory) as db:
        create_account(db=db, username="sso@riverside", clinic_slug="riverside", role="staff", password=None,
                       oidc_subject="sso@riverside.example")
    app = console_app(settings_overrides, database, clock, staff_oidc=True, staff_oidc_signer=SIGNER)
    app.extensions["receptionist"].alb_keys = AlbKeys({"kid-1": pem}, "https://unused/{kid}")
    return Browser(app), private


def test_the_alb_identity_signs_a_mapped_member_in(oidc_console, clock):
    browser, private = oidc_console
    token = _alb_token(private, email="sso@riverside.example", expires=(clock.now() + timedelta(minutes=2)).timestamp())
    page = browser.get("/staff/today", headers={"x-amzn-oidc-data": token})
    assert page.status_code == 200 and "Jordan Smith" in page.get_data(as_text=True)


@pytest.mark.parametrize("problem", ["other_key", "expired", "other_signer", "unmapped", "missing", "tampered"])
def test_a_bad_alb_identity_is_refused(oidc_console, clock, problem):
    browser, private = oidc_console
    later = (clock.now() + timedelta(minutes=2)).timestamp()
    token = {
        "other_key": lambda: _alb_token(_key_pair()[0], email="sso@riverside.example", expires=later),
        "expired": lambda: _alb_token(private, email="sso@riverside.example",
                                      expires=(clock.now() - timedelta(seconds=1)).timestamp()),
        "other_signer": lambda: _alb_token(private, email="sso@riverside.example", expires=later, signer="arn:other"),
        "unmapped": lambda: _alb_token(private, email="someone@else.example", expires=later),
        "missing": lambda: "",
        "tampered": lambda: _tampered(_alb_token(private, email="sso@riverside.example", expires=later)),
    }[problem]()
    assert browser.get("/staff/today", headers={"x-amzn-oidc-data": token}).status_code == 403


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload.rstrip("=") + "=="))
    claims["email"] = "manager@harbor.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
    return ".".join((header, forged, signature))


def test_probes_and_metrics_answer_without_a_login(settings_overrides, database, clock):
    client = Browser(console_app(settings_overrides, database, clock))
    assert client.get("/healthz").get_json()["status"] == "alive"
    assert client.get("/readyz").status_code == 200
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.mimetype == "text/plain"
