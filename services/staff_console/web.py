"""What every console page gets: the signed-in staff member (session cookie, or the ALB's OIDC identity),
CSRF checks on every POST, and strict security headers (CSP without inline code, no caching)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, g, redirect, request
from werkzeug.wrappers import Response

from services.staff_console import accounts, oidc
from services.staff_console.models import MANAGER, StaffAccount
from shared.clock import now as clock_now
from shared.db import transaction
from shared.wiring import dependencies

LOGIN_CSRF_COOKIE = "staff_login_csrf"
OPEN_ENDPOINTS = ("login", "static_file")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def endpoint() -> str:
    """This request's view name without the blueprint's prefix."""
    return (request.endpoint or "").rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member as pages see them."""

    account_id: int
    public_id: str
    username: str
    clinic_slug: str
    role: str
    csrf_token: str

    @property
    def is_manager(self) -> bool:
        """Managers apply schedules and manage accounts."""
        return self.role == MANAGER


def cookie_name() -> str:
    """The session cookie: __Host- prefixed (Secure, path /, this host only) when cookies are Secure."""
    return "__Host-staff_session" if dependencies().settings.cookies_secure else "staff_session"


def _staff(account: StaffAccount, csrf_token: str) -> Staff:
    return Staff(account.id, account.public_id, account.username, account.clinic_slug, account.role, csrf_token)


def load_staff() -> Response | None:
    """Before each page: who is signed in (g.staff), or a redirect to the login page."""
    g.staff = None
    # /healthz, /readyz and /metrics are the app's own (probes, Prometheus), not pages
    if request.blueprint != "staff_console" or endpoint() in OPEN_ENDPOINTS:
        return None
    deps = dependencies()
    now = clock_now()
    if deps.settings.staff_oidc:
        g.staff = _oidc_staff(deps, now)
        if g.staff is None:
            abort(403)
    else:
        token = request.cookies.get(cookie_name(), "")
        with transaction(deps.db) as db:
            found = accounts.resume_session(db=db, token=token, now=now, policy=deps.policy) if token else None
            if found is not None:
                g.staff = _staff(found[1], found[0].csrf_token)
        if g.staff is None:
            return redirect("/staff/login", code=303)
    g.staff_id = g.staff.public_id
    return None


def _oidc_staff(deps, now) -> Staff | None:
    claims = oidc.verified_claims(request.headers.get(oidc.OIDC_HEADER, ""), keys=deps.alb_keys,
                                  signer=deps.settings.staff_oidc_signer, now=now)
    subject = (claims or {}).get("email") or (claims or {}).get("sub")
    if not isinstance(subject, str):
        return None
    with transaction(deps.db) as db:
        account = accounts.account_by_subject(db=db, subject=subject)
        # the ALB's session cookie is not ours to read: CSRF is tied to the identity with a keyed hash
        return _staff(account, _oidc_csrf(deps, account.public_id)) if account else None


def _oidc_csrf(deps, public_id: str) -> str:
    key = deps.settings.internal_api_token.get_secret_value().encode()
    return hmac.new(key, f"csrf:{public_id}".encode(), "sha256").hexdigest()


def check_csrf() -> None:
    """Every POST carries the session's CSRF token (the login form: the token of its own cookie)."""
    if request.method != "POST" or request.blueprint != "staff_console":
        return
    sent = request.form.get("csrf_token", "")
    if endpoint() == "login":
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        expected = g.staff.csrf_token if g.get("staff") else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="the form has expired; reload the page and try again")


def login_csrf_token() -> str:
    """The login form's CSRF token: the one its cookie holds, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def secure_headers(response: Response) -> Response:
    """Strict CSP and friends on every answer; pages are never cached."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if endpoint() != "static_file":
        response.headers["Cache-Control"] = "no-store"
    return response


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    """A cookie that scripts cannot read and other sites cannot send."""
    secure = dependencies().settings.cookies_secure
    response.set_cookie(name, value, max_age=max_age, path="/" if name.startswith("__Host-") else "/staff/",
                        secure=secure, httponly=True, samesite="Strict")


def manager_only(view: Callable) -> Callable:
    """Answer 403 unless the signed-in staff member is a manager."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not g.staff.is_manager:
            abort(403, description="only managers can do this")
        return view(*args, **kwargs)

    return checked


