"""The Calendly client: typed results, Calendly's error body, 429 with X-RateLimit-Reset, retries with
capped backoff, timeouts, and the circuit breaker; every request checked against the 2024 spec."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.calendly.calendly_api import (
    CalendlyError,
    CalendlyNotFound,
    CalendlyPermissionDenied,
    CalendlyRateLimited,
    CalendlyUnavailable,
)
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, ORGANIZATION, USER
from tests.timing import test_now

SOON = test_now().replace(microsecond=0) + timedelta(days=2)


def test_booking_returns_the_invitee_links_and_sends_designs_fields(calendly_client, fake_calendly):
    invitee = calendly_client.create_invitee(
        event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada Lovelace", email="ada@example.com",
        timezone_name="America/New_York", text_reminder_number="+16175550123",
    )
    assert invitee.uri.startswith(invitee.event + "/invitees/")
    assert invitee.cancel_url.startswith("https://calendly.com/cancellations/")
    assert invitee.reschedule_url.startswith("https://calendly.com/reschedulings/")
    body = fake_calendly.requests_to("POST", "/invitees")[0].body
    assert body["start_time"].endswith("Z") and body["invitee"]["text_reminder_number"] == "+16175550123"


def test_error_body_is_mapped_with_its_details(calendly_client, fake_calendly):
    fake_calendly.strict_times = True
    with pytest.raises(CalendlyError) as refused:
        calendly_client.create_invitee(event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada", email="a@example.com",
                                       timezone_name="UTC")
    assert refused.value.status == 400 and refused.value.title == "Invalid Argument"
    assert refused.value.details == [{"parameter": "start_time", "message": "The selected time is not available"}]
    with pytest.raises(CalendlyNotFound):
        calendly_client.get_event("https://api.calendly.com/scheduled_events/NOPE")
    fake_calendly.booking_forbidden = True
    with pytest.raises(CalendlyPermissionDenied) as forbidden:
        calendly_client.create_invitee(event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada", email="a@example.com",
                                       timezone_name="UTC")
    assert "upgrade" in forbidden.value.message


def test_429_carries_the_reset_from_x_ratelimit_reset_and_is_not_retried(calendly_client, fake_calendly):
    fake_calendly.bookings_left, fake_calendly.booking_reset_seconds = 0, 42
    with pytest.raises(CalendlyRateLimited) as limited:
        calendly_client.create_invitee(event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada", email="a@example.com",
                                       timezone_name="UTC")
    assert limited.value.retry_after == 42
    assert len(fake_calendly.requests_to("POST", "/invitees")) == 1
    assert not calendly_client.breaker.failures


def test_5xx_is_retried_with_capped_backoff_then_succeeds(calendly_client, fake_calendly, sleeps):
    fake_calendly.failures = 2
    user = calendly_client.current_user()
    assert user.uri == USER and user.organization == ORGANIZATION
    assert len(fake_calendly.requests_to("GET", "/users/me")) == 3
    assert sleeps == [0.5, 1.0]
    calendly_client.backoff_cap_seconds = 0.7
    fake_calendly.failures = 2
    calendly_client.current_user()
    assert sleeps[2:] == [0.5, 0.7]


def test_timeouts_are_retried_but_a_booking_that_timed_out_is_not_repeated(calendly_client, fake_calendly):
    fake_calendly.timeouts = 1
    assert calendly_client.event_types(user=USER)[0].uri
    fake_calendly.timeouts = 1
    with pytest.raises(CalendlyUnavailable):
        calendly_client.create_invitee(event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada", email="a@example.com",
                                       timezone_name="UTC")
    assert len(fake_calendly.requests_to("POST", "/invitees")) == 1


def test_circuit_breaker_stops_calling_while_calendly_fails_and_tries_again_later(calendly_client, fake_calendly,
                                                                                  breaker_clock):
    fake_calendly.down = True
    with pytest.raises(CalendlyUnavailable):
        calendly_client.current_user()
    assert len(fake_calendly.sent) == 3 and calendly_client.breaker.is_open
    with pytest.raises(CalendlyUnavailable) as paused:
        calendly_client.current_user()
    assert paused.value.title == "Circuit Open" and len(fake_calendly.sent) == 3
    fake_calendly.down = False
    breaker_clock.now += 31
    assert calendly_client.current_user().uri == USER
    assert not calendly_client.breaker.is_open and calendly_client.breaker.failures == 0


def test_available_times_and_cancellation_are_typed(calendly_client, fake_calendly):
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {SOON, SOON + timedelta(minutes=30)}
    times = calendly_client.available_times(CHEN_EVENT_TYPE, SOON - timedelta(hours=1), SOON + timedelta(days=1))
    assert [item.start for item in times] == [SOON, SOON + timedelta(minutes=30)]
    invitee = calendly_client.create_invitee(event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada",
                                             email="a@example.com", timezone_name="UTC")
    calendly_client.cancel_event(invitee.event, "caller cancelled")
    assert fake_calendly.requests_to("POST", "/scheduled_events/")[0].body == {"reason": "caller cancelled"}
    with pytest.raises(CalendlyPermissionDenied, match="already canceled"):
        calendly_client.cancel_event(invitee.event, "again")


def test_event_types_follow_every_page_with_its_token(calendly_client, fake_calendly):
    extra = {f"{CHEN_EVENT_TYPE[:-1]}{n}X": {"name": f"Extra {n}", "slug": f"extra-{n}", "duration": 15}
             for n in range(3)}
    fake_calendly.event_types.update(extra)
    fake_calendly.page_size = 2
    found = calendly_client.event_types(user=USER)
    assert [item.uri for item in found] == list(fake_calendly.event_types)
    pages = fake_calendly.requests_to("GET", "/event_types")
    assert len(pages) == 3 and "page_token" not in pages[0].query
    assert [page.query["page_token"] for page in pages[1:]] == [["2"], ["4"]]


def test_429_with_an_epoch_reset_waits_only_until_that_moment(calendly_client, fake_calendly, clock):
    clock.set(clock.now().replace(microsecond=0))
    fake_calendly.bookings_left, fake_calendly.booking_reset_seconds = 0, 42
    fake_calendly.reset_as_epoch = True
    with pytest.raises(CalendlyRateLimited) as limited:
        calendly_client.create_invitee(event_type=CHEN_EVENT_TYPE, start=SOON, name="Ada", email="a@example.com",
                                       timezone_name="UTC")
    assert len(fake_calendly.requests_to("POST", "/invitees")) == 1
    assert limited.value.retry_after == 42  # the epoch minus the client's now, not 1.8 billion seconds
