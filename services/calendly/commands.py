"""Staff commands for connecting a clinic to Calendly.

    python -m services.calendly.commands register-webhook --clinic riverside --url https://HOST/webhooks/calendly
    python -m services.calendly.commands list-event-types --clinic riverside

register-webhook subscribes to invitee.created / invitee.canceled (`POST /webhook_subscriptions`)
with CALENDLY_WEBHOOK_SIGNING_KEY, adding `?clinic=<slug>` to the URL so deliveries are matched to
that clinic's doctors. list-event-types prints the token user's event types next to the doctor each
is mapped to (doctors.calendly_event_type), so staff can map the rest.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from services.calendly.calendly_api import CalendlyClient, CalendlyError, EventType
from services.calendly.settings import CalendlySettings
from shared.service_client import ServiceCallError, ServiceClient


def callback_url(url: str, clinic_slug: str) -> str:
    """The webhook URL with `clinic=<slug>` in its query string."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "clinic"] + [("clinic", clinic_slug)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def clinic_doctors(*, client: ServiceClient, slug: str) -> list[dict[str, Any]]:
    """The clinic's doctors from knowledge_base; SystemExit when the clinic is unknown."""
    try:
        return client.get("knowledge_base", f"/kb/clinics/{slug}/doctors")
    except ServiceCallError as error:
        raise SystemExit(f"clinic {slug!r}: {error.message}") from None


def register_webhook(*, calendly: CalendlyClient, url: str, clinic_slug: str, signing_key: str | None,
                     scope: str) -> dict[str, Any]:
    """Create the webhook subscription for the token's user (or its whole organization)."""
    if not url.startswith("https://"):
        raise SystemExit("the webhook URL must be https")
    user = calendly.current_user()
    return calendly.create_webhook_subscription(
        url=callback_url(url, clinic_slug), organization=user.organization, user=user.uri, scope=scope,
        signing_key=signing_key,
    )


def event_type_rows(event_types: list[EventType], doctors: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(event type name, URI, mapped doctor or "-") for each event type."""
    by_uri = {doctor["calendly_event_type"]: doctor["name"] for doctor in doctors if doctor.get("calendly_event_type")}
    return [(item.name, item.uri, by_uri.get(item.uri, "-")) for item in event_types]


def main(argv: list[str] | None = None, *, calendly: CalendlyClient | None = None,
         client: ServiceClient | None = None, settings: CalendlySettings | None = None,
         out: TextIO = sys.stdout) -> int:
    """Run one command; the exit status is non-zero when Calendly refuses."""
    parser = argparse.ArgumentParser(prog="python -m services.calendly.commands", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    register = commands.add_parser("register-webhook", help="subscribe a webhook URL to invitee events")
    register.add_argument("--clinic", required=True)
    register.add_argument("--url", required=True, help="public https URL of /webhooks/calendly")
    register.add_argument("--scope", choices=("user", "organization"), default="user")
    listing = commands.add_parser("list-event-types", help="show event types and the doctors mapped to them")
    listing.add_argument("--clinic", required=True)
    args = parser.parse_args(argv)
    settings = settings or CalendlySettings()
    calendly = calendly or CalendlyClient.from_settings(settings)
    if calendly is None:
        out.write("CALENDLY_TOKEN is not set\n")
        return 2
    if client is None:
        from services.jobs import service_dependencies

        client = service_dependencies("calendly").client
    doctors = clinic_doctors(client=client, slug=args.clinic)
    key = settings.calendly_webhook_signing_key
    try:
        if args.command == "register-webhook":
            resource = register_webhook(calendly=calendly, url=args.url, clinic_slug=args.clinic,
                                        signing_key=key.get_secret_value() if key else None, scope=args.scope)
            out.write(f"subscribed {resource.get('callback_url')} ({resource.get('state')}): {resource.get('uri')}\n")
            if key is None:
                out.write("warning: CALENDLY_WEBHOOK_SIGNING_KEY is not set; deliveries will be refused\n")
        else:
            user = calendly.current_user()
            for name, uri, doctor in event_type_rows(calendly.event_types(user=user.uri), doctors):
                out.write(f"{name}\t{uri}\t{doctor}\n")
    except CalendlyError as error:
        out.write(f"Calendly refused: {error.status} {error.title}: {error.message}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
