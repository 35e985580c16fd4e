"""Staff commands: register the webhook subscription and list event types against the doctors."""

from __future__ import annotations

import io

from services.calendly import commands
from services.calendly.settings import CalendlySettings
from tests.calendly_sync.conftest import SIGNING_KEY
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, LOPEZ_EVENT_TYPE, ORGANIZATION, USER
from tests.calendly_sync.helpers import deps


def run(system, calendly_client, calendly_overrides, *argv):
    out = io.StringIO()
    status = commands.main(list(argv), calendly=calendly_client, client=deps(system).client,
                           settings=CalendlySettings(**calendly_overrides), out=out)
    return status, out.getvalue()


def test_register_webhook_subscribes_with_the_clinic_and_signing_key(calendly_system, calendly_client,
                                                                     calendly_overrides, fake_calendly):
    status, output = run(calendly_system, calendly_client, calendly_overrides, "register-webhook",
                         "--clinic", "riverside", "--url", "https://rx.example/webhooks/calendly")
    assert status == 0 and "active" in output
    [request] = fake_calendly.requests_to("POST", "/webhook_subscriptions")
    assert request.body == {"url": "https://rx.example/webhooks/calendly?clinic=riverside",
                            "events": ["invitee.created", "invitee.canceled"], "organization": ORGANIZATION,
                            "scope": "user", "user": USER, "signing_key": SIGNING_KEY}


def test_list_event_types_shows_which_doctor_each_is_mapped_to(calendly_system, calendly_client,
                                                              calendly_overrides, fake_calendly):
    status, output = run(calendly_system, calendly_client, calendly_overrides, "list-event-types",
                         "--clinic", "riverside")
    assert status == 0
    assert f"Dr. Chen visit\t{CHEN_EVENT_TYPE}\tDr. Sarah Chen" in output
    assert f"Cardiology consult\t{LOPEZ_EVENT_TYPE}\t-" in output
    assert fake_calendly.requests_to("GET", "/event_types")[0].query["user"] == [USER]


def test_calendly_refusal_is_reported_with_its_message(calendly_system, calendly_client, calendly_overrides,
                                                       fake_calendly):
    status, output = run(calendly_system, calendly_client, calendly_overrides, "register-webhook",
                         "--clinic", "riverside", "--url", "https://rx.example/webhooks/calendly")
    fake_calendly.down = True
    status, output = run(calendly_system, calendly_client, calendly_overrides, "list-event-types",
                         "--clinic", "riverside")
    assert status == 1 and "Calendly refused: 503" in output
