"""Bad uploads get a clear JSON error, change no doctor, and PDFs are kept as failed documents."""

from __future__ import annotations

import pytest

from tests.knowledge_base.conftest import BUCKET
from tools import make_sample_schedules as samples

GOOD = (samples.SAMPLES_DIR / "layout-table.pdf").read_bytes()


@pytest.fixture
def riverside_before(kb):
    """Riverside's doctors before the bad upload."""
    return kb.doctors("riverside")


def assert_failed_and_kept(kb, response, code: str, before):
    """The upload failed with `code`, the PDF is stored and listed as failed, no doctor changed."""
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert body["document"]["status"] == "failed" and body["document"]["errors"][0]["code"] == code
    assert kb.s3.head_object(Bucket=BUCKET, Key=body["document"]["storage_key"])
    [listed] = [doc for doc in kb.documents("riverside") if doc["status"] == "failed"]
    assert listed["errors"] == [{"code": code, "message": body["message"]}]
    assert kb.doctors("riverside") == before
    return body


def test_not_a_pdf_is_415_and_not_stored(kb, riverside_before):
    response = kb.upload(b"Dr. Sarah Chen Mon-Fri 9-5\n", "riverside", filename="schedule.txt")
    assert response.status_code == 415 and response.get_json()["error"] == "not_a_pdf"
    assert kb.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    assert len(kb.documents("riverside")) == 1  # only the demo schedule
    assert kb.doctors("riverside") == riverside_before


def test_empty_file(kb, riverside_before):
    response = kb.upload(b"", "riverside")
    assert response.status_code == 422 and response.get_json()["error"] == "empty_file"
    assert kb.doctors("riverside") == riverside_before


def test_corrupt_pdf(kb, riverside_before):
    response = kb.upload(b"%PDF-1.7\n" + b"\x00garbage" * 200, "riverside")
    assert_failed_and_kept(kb, response, "corrupt_pdf", riverside_before)


def test_truncated_pdf(kb, riverside_before):
    assert_failed_and_kept(kb, kb.upload(GOOD[: len(GOOD) // 2], "riverside"), "corrupt_pdf", riverside_before)


def test_encrypted_pdf(kb, riverside_before):
    body = assert_failed_and_kept(kb, kb.upload(samples.encrypted_pdf(), "riverside"), "encrypted_pdf",
                                  riverside_before)
    assert "password" in body["message"]


def test_image_only_pdf_says_there_is_no_text_layer(kb, riverside_before):
    body = assert_failed_and_kept(kb, kb.upload(samples.image_only_pdf(), "riverside"), "image_only_pdf",
                                  riverside_before)
    assert "no text layer" in body["message"]
    assert body["document"]["page_count"] == 1


def test_no_schedule_found(kb, riverside_before):
    assert_failed_and_kept(kb, kb.upload(samples.prose_pdf(), "riverside"), "no_schedule_found", riverside_before)


def test_page_count_bomb(kb, riverside_before):
    body = assert_failed_and_kept(kb, kb.upload(samples.page_count_bomb(), "riverside"), "too_many_pages",
                                  riverside_before)
    assert "10000000" in body["message"]


def test_page_limit_is_a_setting(make_kb, riverside_before):
    kb = make_kb(max_pdf_pages=2)
    body = assert_failed_and_kept(kb, kb.upload((samples.SAMPLES_DIR / "layout-multi-page.pdf").read_bytes(),
                                                "riverside"), "too_many_pages", riverside_before)
    assert body["document"]["page_count"] == 3


def test_over_the_size_limit_is_413(make_kb, riverside_before):
    kb = make_kb(max_upload_bytes=len(GOOD) - 1)
    response = kb.upload(GOOD, "riverside")
    assert response.status_code == 413 and response.get_json()["error"] == "file_too_large"
    huge = kb.upload(GOOD + b" " * (200 * 1024), "riverside")  # beyond MAX_CONTENT_LENGTH itself
    assert huge.status_code == 413 and huge.is_json
    assert kb.doctors("riverside") == riverside_before
    assert len(kb.documents("riverside")) == 1


def test_default_size_limit_is_10_mb_and_sets_max_content_length(kb):
    app = kb.app.apps["knowledge_base"]
    settings = app.config["SETTINGS"]
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] == settings.max_request_bytes > settings.max_upload_bytes


def test_unknown_clinic_is_404(kb):
    response = kb.upload(GOOD, "nowhere")
    assert response.status_code == 404 and response.get_json()["error"] == "clinic_not_found"
    assert kb.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


@pytest.mark.parametrize("token", [None, "wrong-token", "local-internal-token"])
def test_upload_needs_the_admin_token(kb, token, riverside_before):
    response = kb.upload(GOOD, "riverside", token=token)
    assert response.status_code == 401 and response.is_json
    assert kb.doctors("riverside") == riverside_before


def test_document_listing_needs_the_admin_token(kb):
    assert kb.http.get("/kb/clinics/riverside/documents").status_code == 401


def test_missing_form_fields_are_422(kb):
    from shared.settings import LOCAL_ADMIN_TOKEN

    headers = {"Authorization": f"Bearer {LOCAL_ADMIN_TOKEN}"}
    no_file = kb.http.post("/kb/documents", data={"clinic": "riverside"}, headers=headers)
    assert no_file.status_code == 422 and no_file.get_json()["error"] == "missing_file"
    no_clinic = kb.upload(GOOD, "")
    assert no_clinic.status_code == 422 and no_clinic.get_json()["error"] == "missing_clinic"


def test_a_parser_defect_fails_the_document_not_the_worker(make_kb, riverside_before, monkeypatch):
    from services.knowledge_base import schedule_parser

    kb = make_kb(document_read_in_child=False)  # the patch below lives in this process
    def broken(self, lines):
        raise RuntimeError("parser defect")

    monkeypatch.setattr(schedule_parser.ScheduleParser, "feed_page", broken)
    assert_failed_and_kept(kb, kb.upload(GOOD, "riverside"), "extraction_failed", riverside_before)
    assert kb.get("/healthz").status_code == 200


def test_a_failed_document_can_be_retried_once_the_cause_is_fixed(make_kb, monkeypatch):
    from services.knowledge_base import schedule_parser

    kb = make_kb(document_read_in_child=False)  # the patch below lives in this process
    original = schedule_parser.ScheduleParser.feed_page
    monkeypatch.setattr(schedule_parser.ScheduleParser, "feed_page", lambda self, lines: 1 / 0)
    assert kb.upload(GOOD).status_code == 422
    monkeypatch.setattr(schedule_parser.ScheduleParser, "feed_page", original)
    retried = kb.upload(GOOD)
    assert retried.status_code == 201
    [document] = kb.documents()
    assert (document["status"], document["errors"]) == ("parsed", [])


def test_a_malformed_drawing_does_not_fail_a_readable_schedule(kb):
    """Borders are read from path operators; one with nonsense operands draws nothing, the text still counts."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    pdf = samples.SchedulePdf()
    pdf.add_page()
    pdf.text_line("Dr. Sarah Chen Mon-Fri 9:00-17:00")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf.to_bytes())))
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(page.get_contents().get_data() + b"\n/Foo /Bar 1 2 re S 10 (x) m 5 5 l S\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    damaged = io.BytesIO()
    writer.write(damaged)
    response = kb.upload(damaged.getvalue())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["doctors"][0]["weekly_hours"][0] == {"day": "mon", "start": "09:00", "end": "17:00"}
