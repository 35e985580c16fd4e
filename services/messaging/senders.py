"""Where texts go: the printed local outbox (local mode) or Twilio (later, when configured)."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Protocol, TextIO


@dataclass(frozen=True)
class SendResult:
    """What the provider said about one send."""

    provider_id: str
    status: str


class SmsSender(Protocol):
    """Sends one text."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> SendResult:
        """Send a text and return the provider's id and status."""


class LocalOutboxSender:
    """Local mode: the text is written to the terminal (the developer's phone) instead of sent."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._count = 0

    def send(self, *, to: str, body: str, idempotency_key: str) -> SendResult:
        """Write the text to the outbox stream."""
        with self._lock:
            self._count += 1
            self.stream.write(f"\n--- SMS outbox: to {to} ---\n{body}\n--------------------\n")
            self.stream.flush()
            return SendResult(provider_id=f"LOCAL{self._count:08d}-{idempotency_key[-12:]}", status="sent")
