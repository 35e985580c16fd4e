"""Nothing leaves unmasked: whole calls (one failing at a Twilio turn, one failing inside calendly, one
booking) through every output channel of the process (the log lines of the production logging
set-up, the envelopes a real Sentry client sends, the /metrics scrape) carry no name, phone number or
address, and the failures still reach Sentry with their stack traces.

The logs go through shared.log.configure_logging itself and Sentry through shared.error_reporting's
init with only the transport replaced, so a regression of either set-up fails here; each Sentry
layer (no body, no locals, no personal data, before_send) is checked on its own by looking at the
event before and after before_send. The gunicorn access log has its own test (test_access_log.py).
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
import sentry_sdk
from flask import request
from sentry_sdk.transport import Transport

from services.calendly import service as calendly_service
from shared import error_reporting
from shared.dialogue import runner
from shared.log import configure_logging
from shared.settings import LOCAL_INTERNAL_TOKEN, LOCAL_TWILIO_AUTH_TOKEN
from tests.calls.conftest import appointments
from tests.conftest import CALLER

NAME, ADDRESS = "Rosalind Quarterman", "48 Wisteria Lane, Boston"
# The caller's number in every way it might be written, and the parts of name and address.
PATIENT_DATA = ("+16175550123", "16175550123", "6175550123", "617-555-0123", "617 555 0123", "(617) 555-0123",
                "617.555.0123", "555-0123", "5550123", "Rosalind", "Quarterman", "Wisteria")


class KeptEnvelopes(Transport):
    """A Sentry transport that keeps the envelopes instead of sending them (and, for the tests, the
    events as before_send received them, and the before_send the client was set up with)."""

    def __init__(self, options: dict[str, Any] | None = None):
        super().__init__(options)
        self.envelopes: list[Any] = []
        self.raw: list[dict[str, Any]] = []
        self.before_send: Any = None

    def capture_envelope(self, envelope) -> None:
        """Keep the envelope."""
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        """The error events of every kept envelope, as sent."""
        return [item.payload.json for envelope in self.envelopes for item in envelope.items
                if item.headers.get("type") == "event"]

    def sent_text(self) -> str:
        """Every byte every envelope would have sent."""
        return "\n".join(envelope.serialize().decode("utf-8", "replace") for envelope in self.envelopes)


def leaks(text: str) -> list[str]:
    """The patient data found in a text (case-insensitive)."""
    return [value for value in PATIENT_DATA if value.lower() in text.lower()]


@pytest.fixture
def log_stream():
    """The production logging set-up (shared.log.configure_logging) writing to a captured stream."""
    root = logging.getLogger()
    before = [handler for handler in root.handlers if getattr(handler, "_receptionist", False)]
    for handler in before:
        root.removeHandler(handler)
    stream = io.StringIO()
    configure_logging("all", "INFO", "json", stream=stream)
    yield stream
    for handler in [handler for handler in root.handlers if getattr(handler, "_receptionist", False)]:
        root.removeHandler(handler)
    for handler in before:
        root.addHandler(handler)


@pytest.fixture
def sentry(system):
    """A real Sentry client set up by shared.error_reporting from the services' settings, keeping its
    envelopes; `raw` collects each event as before_send received it."""
    settings = system.app.apps["twilio_handler"].config["SETTINGS"].model_copy(
        update={"sentry_dsn": "https://public@sentry.invalid/1"})
    transport = KeptEnvelopes()
    assert error_reporting.init_sentry(settings, transport=transport)
    client = sentry_sdk.get_client()
    production_before_send = transport.before_send = client.options["before_send"]

    def recording(event, hint):
        transport.raw.append(json.loads(json.dumps(event, default=str)))
        return production_before_send(event, hint)

    client.options["before_send"] = recording
    yield transport
    client.flush(timeout=5)
    sentry_sdk.get_global_scope().set_client(None)
    client.close(timeout=1)


def fail_once(monkeypatch, module, name: str, when, message) -> None:
    """Make module.name raise once, when `when(*args, **kwargs)` holds, with a message (and a local
    variable) full of patient data, as an unexpected error deep in a service would."""
    real = getattr(module, name)
    state = {"failed": False}

    def failing(*args, **kwargs):
        if not state["failed"] and when(*args, **kwargs):
            state["failed"] = True
            patient_details = {"name": NAME, "address": ADDRESS, "phone": CALLER}  # noqa: F841 - a local for Sentry
            raise RuntimeError(message(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


def up_to_address(call):
    """Greeting, Dr. Chen by key, a time, the name; returns the reply to the address."""
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech="Tuesday at 10am")
    call.answer(speech=f"my name is {NAME}")
    return call.answer(speech=ADDRESS)


def test_whole_calls_leave_no_patient_data_in_logs_sentry_or_metrics(system, log_stream, sentry, monkeypatch):
    fail_once(monkeypatch, runner, "answer", lambda conversation, step, given: given.speech == ADDRESS,
              lambda conversation, step, given: f"could not read {given.speech!r} from {request.form['From']}")
    fail_once(monkeypatch, calendly_service, "book_appointment", lambda **kwargs: True,
              lambda **kwargs: f"calendar refused {kwargs['booking'].patient!r}")

    failed_turn = up_to_address(system.phone())
    assert failed_turn.text  # the caller hears the apology (or staff), not silence
    failed_booking = system.phone()
    up_to_address(failed_booking)
    failed_booking.answer(digits="1")
    booked = system.phone()
    assert up_to_address(booked).text.startswith(f"Dr. Sarah Chen, tomorrow at 10 AM, for {NAME}")
    assert "You're booked" in booked.answer(digits="1").text
    assert booked.hang_up() == 200
    assert [item["status"] for item in appointments(system)] == ["booked"]
    scrape = system.http.get("/metrics").get_data(as_text=True)
    sentry_sdk.get_client().flush(timeout=5)

    logs = log_stream.getvalue()
    assert "could not read" in logs and "calendar refused" in logs and "Traceback" in logs
    assert leaks(logs) == [], [line for line in logs.splitlines() if leaks(line)][:3]
    assert 'route="/process-' in scrape and leaks(scrape) == []

    events = sentry.events()
    messages = [value["value"] for event in events for value in event.get("exception", {}).get("values", [])]
    assert any("could not read" in text for text in messages) and any("calendar refused" in text for text in messages)
    assert all(value["stacktrace"]["frames"] for event in events for value in event["exception"]["values"])
    assert leaks(sentry.sent_text()) == []
    sent = sentry.sent_text()
    for secret in (LOCAL_INTERNAL_TOKEN, LOCAL_TWILIO_AUTH_TOKEN, "X-Twilio-Signature", "Authorization",
                   "SpeechResult", '"vars"', "query_string", "cookies"):
        assert secret.lower() not in sent.lower(), secret
    assert all(set(event["request"]) <= {"method", "url", "headers"} for event in events)


def test_each_sentry_layer_holds_on_its_own(system, log_stream, sentry, monkeypatch):
    """A failed turn as before_send receives it: the SDK's own settings already left out the body
    (max_request_body_size, http_bodies), the local variables (include_local_variables) and the values
    of credentials and the user (data_collection); before_send then drops the rest and scrubs the text."""
    fail_once(monkeypatch, runner, "answer", lambda conversation, step, given: given.speech == ADDRESS,
              lambda conversation, step, given: f"could not read {given.speech!r} from {request.form['From']}")
    up_to_address(system.phone())
    sentry_sdk.get_client().flush(timeout=5)

    [raw] = [event for event in sentry.raw if "could not read" in json.dumps(event.get("exception"))]
    assert raw["request"]["method"] == "POST" and "data" not in raw["request"]
    assert all("vars" not in frame for value in raw["exception"]["values"] for frame in value["stacktrace"]["frames"])
    assert "X-Twilio-Signature" in raw["request"]["headers"]
    assert {value for name, value in raw["request"]["headers"].items()
            if name.lower() not in error_reporting.KEPT_HEADERS} == {"[Filtered]"}
    assert "ip_address" not in json.dumps(raw.get("user", {}))
    assert ADDRESS in raw["exception"]["values"][-1]["value"]  # only before_send stands between it and Sentry

    [sent] = [event for event in sentry.events() if "could not read" in json.dumps(event.get("exception"))]
    assert set(sent["request"]) <= {"method", "url", "headers"}
    assert {name.lower() for name in sent["request"]["headers"]} <= error_reporting.KEPT_HEADERS
    assert sent["exception"]["values"][-1]["value"] == "could not read '[redacted]' from [redacted]"
    assert any(frame["function"] == "failing" for frame in sent["exception"]["values"][-1]["stacktrace"]["frames"])


def test_the_sentry_client_runs_with_every_layer_switched_on(system, sentry):
    """The options the SDK resolved, for the layers the events above cannot show on their own: with
    data_collection set, the SDK takes bodies and frame variables from it, and reads
    include_local_variables and max_request_body_size only on paths these calls do not take (stack
    traces attached to messages, the WSGI body reader)."""
    options = sentry_sdk.get_client().options
    collection = options["data_collection"]
    assert collection["provided_by_user"] and not collection["user_info"] and collection["http_bodies"] == []
    assert collection["stack_frame_variables"] is False and collection["database_query_data"] is False
    assert collection["cookies"]["mode"] == collection["url_query_params"]["mode"] == "off"
    assert collection["http_headers"]["request"]["mode"] == "allowlist"
    assert options["include_local_variables"] is False and options["max_request_body_size"] == "never"
    assert not sentry_sdk.get_client().should_send_default_pii()
    assert sentry.before_send is error_reporting.before_send
