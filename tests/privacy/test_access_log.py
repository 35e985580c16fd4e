"""Gunicorn's own output, as the container and `make run` start it: every line (access log, gunicorn's
error log, the services' logs) is a JSON object through the services' redaction, an access line names
method, path, status, duration and request id, and no query string, name, phone number or address
reaches stdout or stderr, though the requests carry them in forms, JSON bodies and query strings."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from shared.settings import LOCAL_INTERNAL_TOKEN
from tests.conftest import CALLER, RIVERSIDE_NUMBER, TEST_DATABASE_URL, TEST_REDIS_URL
from tests.privacy.test_nothing_leaves import ADDRESS, NAME, leaks
from tools.phone import PhoneCall, requests_transport

ROOT = Path(__file__).resolve().parents[2]
APP = "services.wsgi:create_wsgi_app()"


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_run_arguments(port: int) -> list[str]:
    """The gunicorn arguments of the Makefile's `run` recipe, for 127.0.0.1:port."""
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    [command] = [line for line in recipe.replace("\\\n", " ").splitlines() if "$(BIN)/gunicorn" in line]
    command = command.replace("$(BIN)/gunicorn", "").replace("$(HOST)", "127.0.0.1")
    command = command.replace("$(PORT)", str(port)).replace("$(WEB_THREADS)", "2")
    return shlex.split(command)


def container_arguments(port: int, tmp_path: Path) -> list[str]:
    """The container's gunicorn settings (docker/gunicorn.conf.py), bound to 127.0.0.1:port."""
    return ["--config", str(ROOT / "docker" / "gunicorn.conf.py"), "--worker-tmp-dir", str(tmp_path),
            "--bind", f"127.0.0.1:{port}", APP]


@pytest.mark.parametrize("started_as", ["container", "make run"])
def test_gunicorn_output_is_redacted_json_without_query_strings(demo_clinics, tmp_path, started_as):
    port = free_port()
    arguments = make_run_arguments(port) if started_as == "make run" else container_arguments(port, tmp_path)
    assert APP in arguments
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({"SERVICE": "all", "LOCAL_BACKGROUND_JOBS": "0", "ENVIRONMENT": "test", "LOG_LEVEL": "info",
                "LOG_FORMAT": "json", "DATABASE_URL": TEST_DATABASE_URL, "REDIS_URL": TEST_REDIS_URL,
                "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"})
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", *arguments], cwd=ROOT, env=env,
                                  stdout=out, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and server.poll() is None, stderr.read_text()
                time.sleep(0.2)
        call = PhoneCall(requests_transport(), base, to=RIVERSIDE_NUMBER, caller=CALLER)
        for path, extra in (("/voice", {}), ("/capture-user-name", {"SpeechResult": f"my name is {NAME}"}),
                            ("/capture-user-address", {"SpeechResult": ADDRESS})):
            status, content_type, _ = call.post(path, extra)
            assert status == 200 and content_type.startswith("text/xml"), path
        token = {"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"}
        found = requests.post(f"{base}/calendly/appointments/search", json={"phone": CALLER}, headers=token, timeout=10)
        assert found.status_code == 200
        asked = requests.get(f"{base}/healthz", params={"phone": CALLER, "name": NAME, "caller": "617-555-0123"},
                             headers={"X-Request-ID": "privacy-probe-1", "Referer": f"{base}/?from=6175550123"},
                             timeout=10)
        assert asked.status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    output = stdout.read_text() + stderr.read_text()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert {line["logger"] for line in lines} >= {"gunicorn.access", "gunicorn.error"}
    assert ("POST", "/capture-user-address", 200) in {(line["method"], line["path"], line["status"]) for line in access}
    [probe] = [line for line in access if line.get("request_id") == "privacy-probe-1"]
    assert probe["message"] == "GET /healthz 200" and probe["duration_ms"] >= 0
    assert "?" not in "".join(line["path"] + line["message"] for line in access)
    assert leaks(output) == [], [line for line in output.splitlines() if leaks(line)][:3]
