"""Who may call what, from a hand-written list rather than from the route table under test: every
Twilio-facing path refuses a request without a valid Twilio signature, and the table's exposures match
the list exactly, so a Twilio route re-tagged as a webhook or internal route fails here."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from shared.routes import ROUTES, Exposure
from tests.conftest import CALLER, RIVERSIDE_NUMBER

# Every path Twilio calls (voice webhooks, status callbacks, inbound texts). Written out by hand on
# purpose: adding a Twilio-facing route means adding it here too.
TWILIO_FACING = (
    "/voice", "/call-status", "/staff-whisper", "/transfer-ended", "/capture-callback-number",
    "/process-selection",
    "/capture-doctor-name", "/confirm-doctor", "/capture-appointment-time", "/choose-slot", "/capture-user-name",
    "/capture-phone-number", "/capture-user-address", "/confirm-booking", "/capture-booking-phone",
    "/capture-verification-code", "/choose-appointment", "/confirm-cancellation", "/confirm-reschedule",
    "/no-slots-choice",
    "/book-appointment", "/cancel-appointment", "/reschedule-appointment", "/check-availability",
    "/capture-new-time", "/choose-new-slot", "/capture-availability-doctor", "/choose-available-slot",
    "/capture-user-phone",
    "/sms/status", "/sms/inbound",
)
# Public routes checked by the owning service with the vendor's own signature.
VENDOR_WEBHOOKS = ("/webhooks/calendly",)
# The staff console's pages are public (the ALB carries /staff/) behind its own login; these two alone
# answer without one.
STAFF_PREFIX = "/staff/"
STAFF_OPEN = ("/staff/login", "/staff/static/<path:filename>")
FORM = {"CallSid": "CA" + "1" * 32, "From": CALLER, "To": RIVERSIDE_NUMBER, "Digits": "1",
        "MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "Body": "C"}


def test_the_list_names_distinct_paths():
    assert len(set(TWILIO_FACING)) == len(TWILIO_FACING)


def test_every_route_is_twilio_exactly_when_listed():
    table = {route.path: route.exposure for route in ROUTES}
    assert sorted(path for path in TWILIO_FACING if path not in table) == [], "a listed Twilio path is not served"
    wrong = {path: exposure.value for path, exposure in table.items()
             if (path in TWILIO_FACING) != (exposure is Exposure.TWILIO)}
    assert wrong == {}, "routes whose exposure disagrees with the hand-written Twilio list"


def test_only_the_listed_vendor_webhooks_and_the_staff_console_are_public_without_twilio_signatures():
    public = {route.path: route for route in ROUTES if route.is_public and route.exposure is not Exposure.TWILIO}
    staff = {path: route for path, route in public.items() if path.startswith(STAFF_PREFIX)}
    assert set(public) - set(staff) == set(VENDOR_WEBHOOKS)
    assert {(route.service, route.exposure) for route in staff.values()} == {("staff_console", Exposure.STAFF)}
    assert set(STAFF_OPEN) <= set(staff)


def _concrete(path: str) -> str:
    """A path with its parameters filled in."""
    return path.replace("<int:appointment_id>", "1").replace("<int:conflict_id>", "1").replace(
        "<int:message_id>", "1").replace("<int:document_id>", "1").replace("<int:account_id>", "1").replace(
        "<call_sid>", "CA" + "1" * 32)


@pytest.mark.parametrize("route", [route for route in ROUTES if route.path.startswith(STAFF_PREFIX)
                                   and route.path not in STAFF_OPEN], ids=lambda route: route.path)
def test_every_staff_console_page_but_the_login_sends_a_stranger_to_the_login(system, route):
    for method in route.methods:
        answer = system.http.open(_concrete(route.path), method=method)
        assert (answer.status_code, answer.headers.get("Location")) == (303, "/staff/login"), (method, route.path)


@pytest.mark.parametrize("path", TWILIO_FACING)
def test_listed_twilio_path_refuses_missing_and_forged_signatures(system, path):
    assert system.http.post(path, data=FORM).status_code == 403
    forged = RequestValidator("not-the-token").compute_signature(f"http://localhost{path}", FORM)
    assert system.http.post(path, data=FORM, headers={"X-Twilio-Signature": forged}).status_code == 403
