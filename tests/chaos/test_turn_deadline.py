"""The turn deadline in the service client: inside a Twilio turn no internal call, retries included,
outlives what is left of the turn, the budget travels to the next service in X-Deadline-Ms, and
outside a turn the ordinary timeouts and retries apply."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask, g

from shared.service_client import DEADLINE_HEADER, ServiceCallError, ServiceClient
from shared.settings import CommonSettings


class SlowService(BaseHTTPRequestHandler):
    """Answers every request after a pause, recording the deadline header it was given."""

    delay = 5.0
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        self.seen.append(self.headers.get(DEADLINE_HEADER, ""))
        time.sleep(self.delay)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:
            pass

    def log_message(self, *_args):
        pass


@pytest.fixture
def slow_service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowService)
    server.daemon_threads = True
    SlowService.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_call_inside_a_turn_gives_up_when_the_turn_does(slow_service):
    """The turn has 0.8 s; one attempt alone would wait 4 s, so "under 3 s" separates the two on any machine."""
    client = ServiceClient(CommonSettings(service_url_template=slow_service, http_timeout_seconds=4, http_retries=2))
    with Flask("turn").test_request_context("/capture-appointment-time"):
        g.deadline = time.monotonic() + 0.8
        started = time.monotonic()
        with pytest.raises(ServiceCallError):
            client.get("calendly", "/calendly/availability")
        elapsed = time.monotonic() - started
    assert elapsed < 3.0
    assert SlowService.seen and 0 < int(SlowService.seen[0]) <= 800


def test_no_call_starts_once_the_turn_is_over(slow_service):
    client = ServiceClient(CommonSettings(service_url_template=slow_service))
    with Flask("turn").test_request_context("/confirm-booking"):
        g.deadline = time.monotonic() - 0.01
        with pytest.raises(ServiceCallError, match="deadline"):
            client.get("calendly", "/calendly/availability")
    assert SlowService.seen == []


def test_outside_a_turn_the_ordinary_timeout_and_retries_apply(slow_service):
    SlowService.delay = 0.4
    try:
        client = ServiceClient(CommonSettings(service_url_template=slow_service, http_timeout_seconds=0.2,
                                              http_retries=1))
        started = time.monotonic()
        with pytest.raises(ServiceCallError):
            client.get("calendly", "/calendly/availability")
        assert time.monotonic() - started >= 0.4  # two attempts of 0.2 s
        assert len(SlowService.seen) == 2 and SlowService.seen[0] == ""
    finally:
        SlowService.delay = 5.0


def test_internal_requests_inherit_the_remaining_budget(system):
    from shared.app import _turn_deadline  # noqa: PLC2701 - the one place the budget is read

    app = system.app.apps["calendly"]
    with app.test_request_context("/calendly/availability", headers={DEADLINE_HEADER: "700"}):
        before = time.monotonic()
        deadline = _turn_deadline(app.config["SETTINGS"])
        after = time.monotonic()
    assert before + 0.7 <= deadline <= after + 0.7
