"""Mutated PDFs never crash knowledge_base: every upload of a damaged schedule document to
POST /kb/documents is answered with JSON (a 4xx with a message when it cannot be read), never a 5xx,
and the clinic's doctors are still served afterwards."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings

from shared.routes import find_route
from shared.settings import LOCAL_ADMIN_TOKEN
from tests.hostile.pdf_mutations import BASE, mutated_pdfs

pytestmark = pytest.mark.xfail(
    find_route("/kb/documents") is None, run=False, strict=True,
    reason="POST /kb/documents (PDF ingestion) arrives with issue 3; the harness runs as soon as the route exists",
)
CLINIC = "riverside"


def upload(system, data: bytes, name: str = "schedule.pdf"):
    """Upload a document as clinic staff do."""
    return system.internal("POST", "/kb/documents", token=LOCAL_ADMIN_TOKEN, content_type="multipart/form-data",
                           data={"clinic": CLINIC, "file": (io.BytesIO(data), name, "application/pdf")})


def test_the_unmutated_document_is_accepted(system):
    assert upload(system, BASE).status_code in (200, 201, 202)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=mutated_pdfs())
def test_mutated_documents_get_a_clear_answer(system, data):
    response = upload(system, data)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    body = response.get_json(silent=True)
    assert isinstance(body, dict), response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert isinstance(body.get("message"), str) and body["message"]
    doctors = system.internal("GET", f"/kb/clinics/{CLINIC}/doctors")
    assert doctors.status_code == 200
