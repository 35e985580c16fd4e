"""Our own fuzzer: generated requests (tests/fuzz/requests.py, from docs/openapi.json) sent to the
whole system in one process. Internal and staff routes answer 2xx or a 4xx JSON error with a message,
Twilio routes answer valid TwiML; nothing answers 5xx.

`make test` sends a short, derandomized run (FUZZ_REQUESTS, default 600); `make fuzz` sends 10,000
random ones and prints the counts. The counts are also written to var/fuzz-counts.json.
"""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from twilio.request_validator import RequestValidator

from shared.settings import LOCAL_TWILIO_AUTH_TOKEN
from tests.fuzz.requests import FuzzRequest, fuzz_requests
from tools.openapi import OUTPUT, render

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "600"))
LONG_RUN = os.environ.get("FUZZ_RANDOM") == "1"
COUNTS_FILE = Path(__file__).resolve().parents[2] / "var" / "fuzz-counts.json"
VALIDATOR = RequestValidator(LOCAL_TWILIO_AUTH_TOKEN)


def send(system, request: FuzzRequest):
    """Deliver one generated request to the in-process system."""
    if request.kind == "twilio":
        url = f"http://localhost{request.path}"
        signature = VALIDATOR.compute_signature(url, request.form)
        return system.http.post(url, data=request.form, headers={"X-Twilio-Signature": signature})
    options: dict = {"headers": request.headers, "query_string": request.query}
    if request.form is not None:
        form = dict(request.form)
        if "file" in form:
            form["file"] = (io.BytesIO(form["file"]), "schedule.pdf", "application/pdf")
        options.update(data=form, content_type="multipart/form-data")
    elif request.raw_body is not None:
        options.update(data=request.raw_body, content_type=request.content_type)
    elif request.json_body is not None or request.method == "POST":
        options.update(data=json.dumps(request.json_body), content_type="application/json")
    return system.http.open(request.path, method=request.method, **options)


def problem_with(request: FuzzRequest, response) -> str | None:
    """What is wrong with the answer, or None."""
    if response.status_code >= 500:
        return "5xx"
    if request.kind == "twilio":
        try:
            document = ET.fromstring(response.get_data())
        except ET.ParseError:
            return "invalid TwiML"
        return None if document.tag == "Response" and response.mimetype == "text/xml" else "invalid TwiML"
    body = response.get_json(silent=True)
    if response.status_code >= 400 and not (isinstance(body, dict) and isinstance(body.get("message"), str)
                                             and body["message"]):
        return "4xx without a JSON message"
    if response.status_code < 400 and body is None:
        return "2xx without JSON"
    return None


class Tally:
    """Counts of what the fuzzer sent and got back, and the first failures in full."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []

    def record(self, request: FuzzRequest, response) -> None:
        """Count one answer."""
        self.counts["requests"] += 1
        self.counts[f"{request.kind} {response.status_code // 100}xx"] += 1
        problem = problem_with(request, response)
        if problem:
            self.counts[problem] += 1
            if len(self.failures) < 20:
                self.failures.append(f"{problem}: {response.status_code} {request.describe()} -> "
                                     f"{response.get_data(as_text=True)[:200]}")

    def summary(self) -> dict[str, int]:
        """Every count, with zeros for the failures that did not happen."""
        return {"5xx": 0, "invalid TwiML": 0, **dict(sorted(self.counts.items()))}


def test_the_openapi_document_is_current_and_describes_every_internal_and_admin_route():
    from shared.routes import ROUTES, Exposure
    from tools.openapi import openapi_path

    assert OUTPUT.read_text() == render(), "docs/openapi.json is out of date: run python -m tools.openapi"
    described = json.loads(OUTPUT.read_text())["paths"]
    for route in ROUTES:
        if route.exposure in (Exposure.INTERNAL, Exposure.ADMIN):
            assert set(described[openapi_path(route.path)]) == {method.lower() for method in route.methods}, route
        else:
            assert openapi_path(route.path) not in described


def test_generated_requests_never_get_a_5xx_or_broken_answer(system):
    tally = Tally()

    @settings(max_examples=REQUESTS, deadline=None, derandomize=not LONG_RUN, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request=fuzz_requests())
    def fuzz(request: FuzzRequest) -> None:
        tally.record(request, send(system, request))

    fuzz()
    summary = tally.summary()
    COUNTS_FILE.parent.mkdir(exist_ok=True)
    COUNTS_FILE.write_text(json.dumps(summary, indent=2) + "\n")
    print("\nfuzz counts:", json.dumps(summary, indent=2))
    assert not tally.failures, "\n".join(tally.failures)
    assert summary["requests"] >= REQUESTS * 0.9
