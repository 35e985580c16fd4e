"""Lookups by phone number read a blind index, never the number, and no number travels in a URL: the
searches are POSTs, and a whole call, an SMS reply and a one-time code request put none in a path or
query string."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from services.all_in_one import RouteDispatcher
from services.calendly import service
from services.calendly.models import PhoneVerification
from services.calendly.verification import recent_query
from services.messaging.models import SmsMessage
from services.messaging.replies import answered_text_query
from shared import patient_data
from shared.db import make_session_factory, transaction
from shared.routes import ROUTES
from tests.calls.conftest import MONDAY_9AM_BOSTON, book
from tests.conftest import CALLER
from tests.privacy.conftest import text_from
from tools.query_plans import HotPath, explain

STRANGER = "+16175550142"
WEDNESDAY_10AM = "2026-12-02T15:00:00+00:00"
ROWS = 3000


def test_lookup_statements_compare_the_keyed_hash_not_the_number():
    for statement in (service.phone_lookup(phone=CALLER, status="booked"),
                      answered_text_query(phone=CALLER, now=MONDAY_9AM_BOSTON),
                      recent_query(PhoneVerification.phone_hash, CALLER, MONDAY_9AM_BOSTON),
                      recent_query(PhoneVerification.caller_hash, CALLER, MONDAY_9AM_BOSTON)):
        compiled = statement.compile()
        assert "_hash" in str(compiled)
        assert CALLER not in compiled.params.values()
        assert patient_data.active().blind_index(CALLER) in compiled.params.values()


@pytest.fixture
def many_numbers(database, demo_clinics, engine):
    """ROWS texts and one-time codes to as many numbers, analysed (a small table is read whole anyway)."""
    with transaction(make_session_factory(engine)) as db:
        for index in range(ROWS):
            number = f"+1617{2_000_000 + index}"
            db.add(SmsMessage(idempotency_key=f"probe:{index}", kind="reminder", to_number=number, body="text",
                              appointment_id=index + 1, status="delivered", created_at=MONDAY_9AM_BOSTON))
            db.add(PhoneVerification(clinic_id=1, phone=number, caller=f"+1508{2_000_000 + index}",
                                     call_sid=f"CA{index}", code_salt="s", expires_at=MONDAY_9AM_BOSTON,
                                     created_at=MONDAY_9AM_BOSTON))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE sms_messages"))
        connection.execute(text("ANALYZE phone_verifications"))


def test_sms_replies_and_code_limits_read_their_blind_indexes(many_numbers, engine):
    number, hour_ago = "+16172001234", MONDAY_9AM_BOSTON - timedelta(hours=1)
    paths = (HotPath("SMS reply: the text answered", answered_text_query(phone=number, now=MONDAY_9AM_BOSTON),
                     "ix_sms_to_hash"),
             HotPath("codes per number", recent_query(PhoneVerification.phone_hash, number, hour_ago),
                     "ix_phone_verifications_phone_created"),
             HotPath("codes per caller", recent_query(PhoneVerification.caller_hash, "+15082001234", hour_ago),
                     "ix_phone_verifications_caller_created"))
    with engine.connect() as connection:
        for path in paths:
            plan = explain(connection, path)
            assert path.index in plan.indexes and not plan.scans_table, (path.name, plan.root)


def test_phone_lookups_are_posts_and_the_old_query_string_lookups_are_gone(system):
    methods = {route.path: route.methods for route in ROUTES}
    assert methods["/calendly/appointments/search"] == ("POST",) and methods["/messaging/sms/search"] == ("POST",)
    assert methods["/calendly/appointments"] == ("POST",) and methods["/messaging/sms"] == ("POST",)
    assert system.internal("GET", "/calendly/appointments", query_string={"phone": CALLER}).status_code == 405
    assert system.internal("GET", "/messaging/sms", query_string={"to": CALLER}).status_code == 405
    refused = system.internal("POST", "/calendly/appointments/search", json={"phone": "6175550123"})
    assert refused.status_code == 422 and "phone" in refused.get_json()["fields"]


@pytest.fixture
def urls(monkeypatch) -> list[str]:
    """Every path and query string that reaches any service, from outside or from another service."""
    seen: list[str] = []
    dispatch = RouteDispatcher.__call__

    def recording(self, environ, start_response):
        seen.append(environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""))
        return dispatch(self, environ, start_response)

    monkeypatch.setattr(RouteDispatcher, "__call__", recording)
    return seen


def test_no_number_travels_in_a_url_through_calls_codes_and_replies(system, urls):
    booked = book(system, "Dr. Sarah Chen", WEDNESDAY_10AM)
    call = system.phone()  # the patient, from their own phone: read and cancel
    call.start()
    call.answer(digits="2")
    assert "is cancelled" in call.answer(digits="1").text
    book(system, "Dr. Maria Lopez", "2026-12-03T19:00:00+00:00")
    stranger = system.phone(caller=STRANGER)  # someone else, typing the patient's number
    stranger.start()
    stranger.answer(digits="2")
    stranger.answer(digits="6175550123")
    assert "Thank you" in text_from(system, CALLER, "C", "SM" + "2" * 32).get_data(as_text=True)
    system.internal("POST", "/messaging/sms/search", json={"to": CALLER})
    system.internal("POST", "/calendly/appointments/search", json={"phone": CALLER})
    assert len(urls) > 20 and any(url.startswith("/calendly/appointments/search") for url in urls)
    assert any(url.startswith(f"/calendly/appointments/{booked['id']}/cancel") for url in urls)
    assert any(url.startswith("/calendly/verifications") for url in urls)
    leaked = [url for url in urls if "5550123" in url or "5550142" in url]  # (clinics' own numbers may)
    assert leaked == [], leaked
