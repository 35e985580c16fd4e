"""Fixtures for the staff console: the whole system at a fixed Monday morning, staff accounts of two
clinics, and a browser-like client that signs in over https (the session cookie is Secure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from werkzeug.test import Client

from services.staff_console.accounts import create_account
from shared.clock import FakeClock
from shared.db import transaction

# Monday 7 December 2026, 08:00 in Boston (Riverside's timezone): a working day with free slots ahead.
MONDAY_MORNING = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
BASE = "https://localhost"


def failed_transfer(system) -> str:
    """A call that asked for staff whom nobody answered (so it waits in the callback queue); its CallSid."""
    call = system.phone()
    call.start()
    call.answer(digits="5")
    call.post("/transfer-ended", {"DialCallStatus": "no-answer"})
    call.hang_up()
    return call.call_sid


@pytest.fixture
def clock() -> FakeClock:
    """Every service sees Monday 08:00 in Boston."""
    return FakeClock(MONDAY_MORNING)


@dataclass(frozen=True)
class Accounts:
    """The staff accounts the tests sign in with."""

    manager: str = "manager@riverside"
    staff: str = "desk@riverside"
    harbor: str = "manager@harbor"


@pytest.fixture
def accounts(db_factory) -> Accounts:
    """A manager and a staff member of Riverside, and a manager of Harbor Dental."""
    names = Accounts()
    with transaction(db_factory) as db:
        create_account(db=db, username=names.manager, clinic_slug="riverside", role="manager", password=PASSWORD)
        create_account(db=db, username=names.staff, clinic_slug="riverside", role="staff", password=PASSWORD)
        create_account(db=db, username=names.harbor, clinic_slug="harbor-dental", role="manager", password=PASSWORD)
    return names


class Browser:
    """A werkzeug client that keeps cookies and knows the page's CSRF token."""

    def __init__(self, app):
        self.client = Client(app)

    def get(self, path: str, **kwargs):
        """GET a page over https."""
        return self.client.get(path, base_url=BASE, **kwargs)

    def post(self, path: str, data: dict | None = None, *, csrf: str | None = None, **kwargs):
        """POST a form over https, with the CSRF token of the last page unless one is given."""
        form = dict(data or {})
        form.setdefault("csrf_token", csrf if csrf is not None else self.csrf)
        return self.client.post(path, base_url=BASE, data=form, **kwargs)

    @property
    def csrf(self) -> str:
        """The CSRF token of the most recent page that had a form."""
        return self._csrf

    def page(self, path: str) -> str:
        """GET a page, remember its CSRF token, and answer its text."""
        response = self.get(path)
        text = response.get_data(as_text=True)
        found = re.search(r'name="csrf_token" value="([^"]+)"', text)
        if found:
            self._csrf = found.group(1)
        self.last_status = response.status_code
        return text

    def login(self, username: str, password: str = PASSWORD):
        """Sign in through the login form."""
        self.page("/staff/login")
        return self.post("/staff/login", {"username": username, "password": password})

    _csrf = ""
    last_status = 0


@pytest.fixture
def browser(system) -> Browser:
    """A signed-out browser on the whole system."""
    return Browser(system.app)
