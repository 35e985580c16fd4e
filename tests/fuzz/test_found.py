"""Regression tests for the 5xx answers the fuzzer found, each reduced to the request that caused it."""

from __future__ import annotations

import io

from shared.settings import LOCAL_ADMIN_TOKEN
from tests.hostile.pdf_mutations import BASE


def test_a_nul_in_a_form_field_is_a_400_not_a_database_error(system):
    response = system.internal("POST", "/kb/documents", token=LOCAL_ADMIN_TOKEN, content_type="multipart/form-data",
                               data={"clinic": "river\x00side", "file": (io.BytesIO(BASE), "s.pdf", "application/pdf")})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_characters"
