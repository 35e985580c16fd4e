"""Fixtures for SMS tests: a `responses` fake of the Twilio Messages API that checks every create
request against the vendor spec (CreateMessageRequest) and answers like Twilio (resources, real error
bodies, lost answers), the whole system sending through it, and helpers to drive the jobs."""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, urlparse

import pytest
import requests
import responses
from sqlalchemy import select
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.test import Client as TestClient

from services.all_in_one import create_all_in_one
from services.calendly.models import Appointment
from services.knowledge_base.models import Doctor
from services.messaging.senders import TwilioSmsSender
from shared.db import transaction
from shared.sessions import RedisCallSessionStore
from shared.settings import LOCAL_TWILIO_AUTH_TOKEN
from tests.timing import test_now
from tests.vendor_specs import vendor_spec

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
API_AUTH_TOKEN = "twilio-api-test-token"
FROM_NUMBER = "+16175550100"
PATIENT = "+16175550123"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
PUBLIC_BASE = "http://localhost"
TWILIO_ERRORS = {
    21211: (400, "The 'To' number +16175550123 is not a valid phone number."),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: "
                 "+16175550123."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
}


def _create_message_schema() -> dict[str, Any]:
    spec = json.loads(vendor_spec("twilio_api_v2010.json").read_text())
    post = spec["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["post"]
    return post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]


class TwilioFake:
    """The Messages API as Twilio runs it, with a script of failures for the next create requests.

    Script entries: an error code from TWILIO_ERRORS (answered with Twilio's JSON error body),
    "connect_timeout" (nothing reaches Twilio), "lost_after_accept" (Twilio stores the message but the
    answer is lost: read timeout) and "lost_before_accept" (read timeout, Twilio stored nothing).
    """

    def __init__(self, mock: responses.RequestsMock):
        schema = _create_message_schema()
        self.fields = set(schema["properties"])
        self.required = set(schema.get("required", []))
        self.messages: list[dict[str, Any]] = []
        self.create_requests: list[dict[str, str]] = []
        self.list_requests: list[dict[str, str]] = []
        self.authorizations: list[str] = []
        self.violations: list[str] = []
        self.script: deque[Any] = deque()
        self._lock = threading.Lock()
        mock.add_callback(responses.POST, MESSAGES_URL, callback=self._create)
        mock.add_callback(responses.GET, MESSAGES_URL, callback=self._list)

    def _error(self, code: int) -> tuple[int, dict[str, str], str]:
        status, message = TWILIO_ERRORS[code]
        body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status}
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    def _check(self, form: dict[str, str], request) -> list[str]:
        problems = [f"unknown field {name}" for name in form if name not in self.fields]
        problems += [f"missing required {name}" for name in self.required if not form.get(name)]
        if not form.get("Body"):
            problems.append("no Body")
        if bool(form.get("From")) == bool(form.get("MessagingServiceSid")):
            problems.append("exactly one of From and MessagingServiceSid is needed")
        callback = form.get("StatusCallback")
        if callback and urlparse(callback).scheme not in ("http", "https"):
            problems.append("StatusCallback is not a URL")
        if not request.headers.get("Authorization", "").startswith("Basic "):
            problems.append("no basic auth")
        return problems

    def _create(self, request):
        self.authorizations.append(request.headers.get("Authorization", ""))
        form = dict(parse_qsl(request.body if isinstance(request.body, str) else request.body.decode()))
        with self._lock:
            self.create_requests.append(form)
            problems = self._check(form, request)
            if problems:
                self.violations.extend(problems)
                return 400, {}, json.dumps({"code": 21601, "message": "; ".join(problems), "status": 400})
            step = self.script.popleft() if self.script else None
            if isinstance(step, int):
                return self._error(step)
            if step == "connect_timeout":
                raise requests.ConnectTimeout("connect timed out")
            if step == "lost_before_accept":
                raise requests.ReadTimeout("read timed out")
            now = test_now()
            message = {
                "sid": "SM" + uuid.uuid4().hex, "account_sid": ACCOUNT_SID, "api_version": "2010-04-01",
                "to": form["To"], "from": form.get("From"), "messaging_service_sid": form.get("MessagingServiceSid"),
                "body": form["Body"], "status": "queued", "direction": "outbound-api", "num_segments": "1",
                "num_media": "0", "date_created": format_datetime(now), "date_updated": format_datetime(now),
                "date_sent": None, "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
                "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/x.json", "subresource_uris": {},
            }
            self.messages.append(message)
            if step == "lost_after_accept":
                raise requests.ReadTimeout("read timed out")
            return 201, {"Content-Type": "application/json"}, json.dumps(message)

    def _list(self, request):
        query = dict(parse_qsl(urlparse(request.url).query))
        with self._lock:
            self.list_requests.append(query)
            found = [m for m in reversed(self.messages)
                     if m["to"] == query.get("To", m["to"]) and m["from"] == query.get("From", m["from"])]
        page = {"messages": found[: int(query.get("PageSize", 50))], "end": len(found) - 1, "start": 0, "page": 0,
                "page_size": int(query.get("PageSize", 50)), "first_page_uri": "/x", "next_page_uri": None,
                "previous_page_uri": None, "uri": "/x"}
        return 200, {"Content-Type": "application/json"}, json.dumps(page)

    def bodies_to(self, number: str) -> list[str]:
        """Texts Twilio accepted for a number."""
        return [message["body"] for message in self.messages if message["to"] == number]


@pytest.fixture
def twilio():
    """The fake Twilio Messages API; the test fails if any request broke the spec."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = TwilioFake(mock)
        yield fake
    assert fake.violations == []


def twilio_sender() -> TwilioSmsSender:
    """The real Twilio sender over the real SDK, talking to the fake."""
    return TwilioSmsSender(Client(ACCOUNT_SID, API_AUTH_TOKEN), from_number=FROM_NUMBER)


@dataclass
class SmsSystem:
    """The whole system sending SMS through the Twilio fake, with handles on the jobs."""

    app: Any
    http: TestClient
    twilio: TwilioFake
    outbox: io.StringIO = field(default_factory=io.StringIO)

    @property
    def messaging(self):
        """The messaging service's dependency bundle (for the worker)."""
        return self.app.apps["messaging"].extensions["receptionist"]

    @property
    def calendly(self):
        """The calendly service's dependency bundle (for the dispatcher and reminders)."""
        return self.app.apps["calendly"].extensions["receptionist"]

    def internal(self, method: str, path: str, **kwargs: Any):
        """Call an internal API with the service token."""
        return self.http.open(path, method=method, headers={"Authorization": "Bearer local-internal-token"}, **kwargs)

    def twilio_post(self, path: str, params: dict[str, str], *, token: str = LOCAL_TWILIO_AUTH_TOKEN,
                    query: str = "") -> Any:
        """POST a webhook signed as Twilio signs it."""
        url = f"{PUBLIC_BASE}{path}" + (f"?{query}" if query else "")
        signature = RequestValidator(token).compute_signature(url, params)
        return self.http.post(url, data=params, headers={"X-Twilio-Signature": signature})

    def texts(self, to: str = PATIENT) -> list[dict[str, Any]]:
        """POST /messaging/sms/search for a number."""
        return self.internal("POST", "/messaging/sms/search", json={"to": to}).get_json()

    def work(self, now: datetime | None = None) -> int:
        """One messaging worker pass."""
        from services.messaging.delivery import send_due

        deps = self.messaging
        return send_due(db_factory=deps.db, sender=deps.sender, policy=deps.policy,
                        public_base_url=deps.settings.public_base_url, now=now)


def build_sms_system(engine, redis_client, settings_overrides, twilio, **extra_settings) -> SmsSystem:
    """The all-in-one system with the Twilio sender and a public base URL for status callbacks."""
    overrides = {**settings_overrides, "public_base_url": PUBLIC_BASE, **extra_settings}
    app = create_all_in_one(overrides, engine=engine, session_store=RedisCallSessionStore(redis_client),
                            sms_sender=twilio_sender())
    return SmsSystem(app=app, http=TestClient(app), twilio=twilio)


@pytest.fixture
def sms_system(engine, database, demo_clinics, redis_client, settings_overrides, twilio) -> SmsSystem:
    """Whole system, inline sending (local-mode behaviour) through the Twilio fake."""
    return build_sms_system(engine, redis_client, settings_overrides, twilio)


def doctor_id(db_factory, name: str = "Dr. Sarah Chen") -> int:
    """A demo doctor's id."""
    with transaction(db_factory) as db:
        return db.scalars(select(Doctor.id).where(Doctor.name == name)).one()


def next_weekday_slot(weekday: int = 1, hour_local: int = 10, tz: str = "America/New_York") -> datetime:
    """A bookable UTC start: the given local weekday and hour, at least three days ahead."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    day = test_now().astimezone(zone).date() + timedelta(days=3)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour_local, tzinfo=zone).astimezone(UTC)


def book(system: SmsSystem, db_factory, *, start: datetime | None = None, phone: str = PATIENT,
         name: str = "Jane Doe") -> dict[str, Any]:
    """Book Dr. Chen through the calendly API, as the booking flow does."""
    body = {"doctor_id": doctor_id(db_factory), "start": (start or next_weekday_slot()).isoformat(),
            "patient": {"name": name, "phone": phone, "address": "12 Main Street, Boston"}}
    response = system.internal("POST", "/calendly/appointments", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def insert_appointment(db_factory, *, starts_at: datetime, phone: str = PATIENT, status: str = "booked",
                       created_at: datetime | None = None, version: int = 1, doctor: str = "Dr. Sarah Chen") -> int:
    """An appointment row written directly (reminder tests need fixed times in the past or future)."""
    with transaction(db_factory) as db:
        found = db.scalars(select(Doctor).where(Doctor.name == doctor)).one()
        created = created_at or starts_at - timedelta(days=10)
        appointment = Appointment(clinic_id=found.clinic_id, doctor_id=found.id, patient_name="Jane Doe",
                                  patient_phone=phone, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30),
                                  status=status, source="phone", version=version, created_at=created,
                                  updated_at=created)
        db.add(appointment)
        db.flush()
        return appointment.id
