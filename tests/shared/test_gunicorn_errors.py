"""Requests gunicorn refuses before any service sees them (a request line over the limit, a malformed
header, a nonsense method) are answered with a JSON error body, with the project's gunicorn config,
by a real gunicorn in a subprocess spoken to over a raw socket."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def hello_app(environ, start_response):
    """A WSGI app that answers every request it is given with JSON 200."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "12")])
    return [b'{"ok": true}']


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_port():
    port = _free_port()
    env = {**os.environ, "WEB_CONCURRENCY": "1", "WEB_THREADS": "2", "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "docker" / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--worker-tmp-dir", "/tmp", "tests.shared.test_gunicorn_errors:hello_app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are and read the whole answer: status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def test_a_well_formed_request_reaches_the_app(gunicorn_port):
    status, _, body = raw(gunicorn_port, b"GET /kb/clinics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (status, json.loads(body)) == (200, {"ok": True})


@pytest.mark.parametrize("request_bytes, status, error", [
    (b"GET /kb/doctors?ids=" + b"1," * 5000 + b"1 HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    (b"GET /kb/clinics HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400, "bad_request"),
    (b"GET /kb/clinics HTTP/1.1\r\nHost: x\r\nX-Ctl: a\x01b\r\n\r\n", 400, "bad_request"),
    (b"G\x00T /kb/clinics HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"),
    (b"GET /kb/clinics HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
    (b"GET /kb/clinics HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % number for number in range(200)) + b"\r\n",
     431, "request_header_fields_too_large"),
])
def test_requests_gunicorn_refuses_get_a_json_error(gunicorn_port, request_bytes, status, error):
    answered, headers, body = raw(gunicorn_port, request_bytes)
    assert answered == status, body[:200]
    assert headers["content-type"] == "application/json"
    parsed = json.loads(body)
    assert parsed["error"] == error and parsed["message"]
    assert int(headers["content-length"]) == len(body)
