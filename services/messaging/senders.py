"""Where texts go: Twilio when configured, else the printed local outbox; and how a send failed.

A sender either returns the provider's id and status, or raises one of three errors that decide
what the worker does next: PermanentSendError (never retried), TransientSendError (the provider
surely did not take the message: retried with backoff) and UnknownSendResult (the request may have
reached the provider: looked up with `find_sent` before anything is sent again).
"""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TextIO

import requests

# Twilio error codes that no retry can fix, with the reason recorded on the message.
PERMANENT_ERRORS = {
    21211: "invalid phone number",
    21408: "region not permitted for SMS",
    21610: "recipient opted out (STOP)",
    21612: "number cannot be reached from the sender",
    21614: "number is not a mobile number",
    21617: "message body too long",
}
OPTED_OUT_CODE = 21610
# Twilio answers 4xx for requests it will refuse again, except these, which can clear by themselves.
_RETRYABLE_CLIENT_STATUSES = frozenset({401, 403, 408, 409, 429})
_MATCH_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SendResult:
    """What the provider said about one send."""

    provider_id: str
    status: str


class SendError(Exception):
    """A send that did not produce a provider id."""

    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class PermanentSendError(SendError):
    """The provider refused the message for good (invalid number, opted out, ...)."""


class TransientSendError(SendError):
    """The provider did not take the message, and may take it later (5xx, 429, no connection)."""


class UnknownSendResult(SendError):
    """The request may have reached the provider (a timeout after it left): reconcile, do not resend."""


class SmsSender(Protocol):
    """Sends one text and finds texts it may already have sent."""

    def send(self, *, to: str, body: str, idempotency_key: str, status_callback: str | None = None) -> SendResult:
        """Send a text and return the provider's id and status; raises a SendError subclass."""

    def find_sent(self, *, to: str, body: str, idempotency_key: str, since: datetime) -> SendResult | None:
        """The provider's record of this text sent since `since`, or None when it has none."""


LOCAL_OUTBOX_MEMORY = 10_000  # texts a local outbox remembers for find_sent


class LocalOutboxSender:
    """Local mode: the text is written to the terminal (the developer's phone) instead of sent."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._sent: dict[str, SendResult] = {}

    def send(self, *, to: str, body: str, idempotency_key: str, status_callback: str | None = None) -> SendResult:
        """Write the text to the outbox stream."""
        with self._lock:
            # Unique across processes and restarts: the provider id is unique in sms_messages.
            result = SendResult(provider_id=f"LOCAL{uuid.uuid4().hex}", status="sent")
            self._sent[idempotency_key] = result
            while len(self._sent) > LOCAL_OUTBOX_MEMORY:
                self._sent.pop(next(iter(self._sent)))
            self.stream.write(f"\n--- SMS outbox: to {to} ---\n{body}\n--------------------\n")
            self.stream.flush()
            return result

    def find_sent(self, *, to: str, body: str, idempotency_key: str, since: datetime) -> SendResult | None:
        """The text this process already wrote under the key, if any."""
        with self._lock:
            return self._sent.get(idempotency_key)


class TwilioSmsSender:
    """Real SMS through the Twilio Messages API (`client.messages.create`)."""

    def __init__(self, client, *, from_number: str | None = None, messaging_service_sid: str | None = None):
        if not (from_number or messaging_service_sid):
            raise ValueError("a from number or a messaging service SID is required")
        self.client = client
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        # The SDK logs every request at INFO, query parameters (phone numbers) included: keep its warnings only.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

    def send(self, *, to: str, body: str, idempotency_key: str, status_callback: str | None = None) -> SendResult:
        """Create the message at Twilio; classify any failure as permanent, transient or unknown."""
        from twilio.base.exceptions import TwilioRestException

        params = {"to": to, "body": body}
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        else:
            params["from_"] = self.from_number
        if status_callback:
            params["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as error:
            raise classify_twilio_error(error.status, error.code, error.msg) from None
        except requests.ConnectTimeout:
            raise TransientSendError("Twilio not reachable (connect timeout)") from None
        except requests.RequestException as error:
            raise UnknownSendResult(f"Twilio answer lost: {type(error).__name__}") from None
        return SendResult(provider_id=message.sid, status=message.status or "queued")

    def find_sent(self, *, to: str, body: str, idempotency_key: str, since: datetime) -> SendResult | None:
        """Look for this text among the latest messages to the number (same body, created since `since`)."""
        from twilio.base.exceptions import TwilioRestException

        filters = {"to": to, "limit": 50, "page_size": 50}
        if self.from_number and not self.messaging_service_sid:
            filters["from_"] = self.from_number
        try:
            messages = self.client.messages.list(**filters)
        except TwilioRestException as error:
            raise TransientSendError(f"Twilio lookup failed: {error.status}", error.code) from None
        except requests.RequestException as error:
            raise TransientSendError(f"Twilio lookup failed: {type(error).__name__}") from None
        for message in messages:
            created = message.date_created
            if (message.body or "").strip() == body.strip() and (created is None or created >= since - _MATCH_SKEW):
                return SendResult(provider_id=message.sid, status=message.status or "queued")
        return None


def classify_twilio_error(status: int | None, code: int | None, message: str | None) -> SendError:
    """Permanent for the known refusals and other 4xx, transient for 5xx, 429 and auth hiccups."""
    detail = f"Twilio {status} error {code}: {PERMANENT_ERRORS.get(code or 0) or message or 'no message'}"
    if code in PERMANENT_ERRORS:
        return PermanentSendError(detail, code)
    if status is not None and 400 <= status < 500 and status not in _RETRYABLE_CLIENT_STATUSES:
        return PermanentSendError(detail, code)
    return TransientSendError(detail, code)


def sender_from(settings, sender: SmsSender | None) -> SmsSender:
    """The given sender, Twilio when configured (signed in with the API key), else the printed local outbox."""
    if sender is not None:
        return sender
    if not settings.twilio_configured:
        return LocalOutboxSender()
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    username, password = settings.twilio_rest_credentials
    client = Client(username, password, account_sid=settings.twilio_account_sid,
                    http_client=TwilioHttpClient(timeout=settings.twilio_api_timeout_seconds))
    return TwilioSmsSender(client, from_number=settings.twilio_from_number,
                           messaging_service_sid=settings.twilio_messaging_service_sid)
