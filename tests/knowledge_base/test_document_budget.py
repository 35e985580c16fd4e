"""Reading a schedule document is budgeted outside the request thread: a document that takes too long
or needs too much memory is stopped (its child process killed) and answered 422 with a clear message,
a page tree holding more pages than it declares is refused before any page is read, and calls keep
being answered within the turn budget while slow uploads run."""

from __future__ import annotations

import io
import multiprocessing
import sys
import threading
import time

import pytest
from fpdf import FPDF
from twilio.request_validator import RequestValidator
from werkzeug.test import Client

from services.knowledge_base.pdf_text import PdfProblem, open_pdf
from shared.settings import LOCAL_ADMIN_TOKEN, LOCAL_TWILIO_AUTH_TOKEN
from tests.conftest import RIVERSIDE_NUMBER
from tools import make_sample_schedules as samples

GOOD = (samples.SAMPLES_DIR / "layout-table.pdf").read_bytes()
TURN_BUDGET_SECONDS = 2.5  # turn_deadline_seconds


def long_line_pdf(entries: int) -> bytes:
    """One doctor and a single line of `entries` day/time pairs: small on disk, seconds to read."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri"] * (entries // 5)
    pdf.cell(0, 8, "Dr. Sarah Chen " + " ".join(f"{day} 9-5" for day in days), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


SLOW = long_line_pdf(150_000)


def page_tree_bomb(pages: int, declared: int = 1) -> bytes:
    """A PDF whose page tree declares `declared` pages but lists `pages` of them."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Count %d /Kids [" % declared
               + b" ".join(b"%d 0 R" % (3 + index) for index in range(pages)) + b"] >>"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * pages
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def upload_to(system, data: bytes):
    """POST /kb/documents to Riverside as clinic staff, on a client of this thread's own."""
    return Client(system.app).post("/kb/documents", headers={"Authorization": f"Bearer {LOCAL_ADMIN_TOKEN}"},
                                   content_type="multipart/form-data",
                                   data={"clinic": "riverside", "file": (io.BytesIO(data), "slow.pdf",
                                                                         "application/pdf")})


def assert_refused(response, code: str) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert body["document"]["status"] == "failed"
    return body


def test_a_document_over_its_time_budget_is_stopped_with_a_clear_422(make_kb):
    kb = make_kb(document_read_seconds=0.5)
    before = kb.doctors("riverside")
    body = assert_refused(kb.upload(SLOW, "riverside"), "too_slow_to_read")
    assert "0.5-second limit" in body["message"]
    assert multiprocessing.active_children() == []  # killed, not left running after the answer
    assert kb.doctors("riverside") == before
    assert kb.upload(GOOD, "riverside").status_code == 201  # the next document is read as usual


def test_a_document_over_its_memory_ceiling_is_stopped_with_a_clear_422(make_kb):
    kb = make_kb(document_read_memory_bytes=65 * 1024 * 1024)
    assert_refused(kb.upload(SLOW, "riverside"), "too_large_to_read")
    assert multiprocessing.active_children() == []


def test_a_page_tree_holding_more_pages_than_it_declares_is_refused_before_reading(make_kb):
    kb = make_kb(max_pdf_pages=50)
    body = assert_refused(kb.upload(page_tree_bomb(5_000), "riverside"), "too_many_pages")
    assert "more than 50 pages though it declares 1" in body["message"]


def test_the_page_tree_walk_stops_at_the_limit_and_survives_loops():
    with pytest.raises(PdfProblem) as refused:
        open_pdf(page_tree_bomb(60_000), max_pages=500)
    assert refused.value.code == "too_many_pages" and refused.value.page_count == 501
    assert len(open_pdf(page_tree_bomb(3, declared=3), max_pages=3).pages) == 3
    looped = page_tree_bomb(2, declared=2).replace(b"/Kids [3 0 R 4 0 R]", b"/Kids [3 0 R 2 0 R]")
    with pytest.raises(PdfProblem) as broken:
        open_pdf(looped, max_pages=10)
    assert broken.value.code in ("corrupt_pdf", "too_many_pages")


@pytest.fixture
def settings_overrides(settings_overrides):
    """The system with a short reading budget, so slow uploads end within the test."""
    return {**settings_overrides, "document_read_seconds": 3.0, "parallel_document_reads": 4}


def test_calls_are_answered_within_the_turn_budget_while_slow_uploads_run(system):
    validator = RequestValidator(LOCAL_TWILIO_AUTH_TOKEN)
    answers: list = []

    def upload(data: bytes) -> None:
        answers.append(upload_to(system, data))

    uploads = [threading.Thread(target=upload, args=(SLOW + b"%" * number,)) for number in range(4)]
    for thread in uploads:
        thread.start()
    latencies = []
    client = Client(system.app)
    for number in range(20):
        url = "http://localhost/voice"
        params = {"CallSid": f"CA{number:032d}", "From": "+16175550123", "To": RIVERSIDE_NUMBER}
        started = time.perf_counter()
        signature = validator.compute_signature(url, params)
        response = client.post(url, data=params, headers={"X-Twilio-Signature": signature})
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200 and b"<Response>" in response.get_data()
        time.sleep(0.1)
    busy = any(thread.is_alive() for thread in uploads)
    for thread in uploads:
        thread.join()
    assert busy, "the uploads ended before the calls: the test measured nothing"
    assert [answer.get_json()["error"] for answer in answers] == ["too_slow_to_read"] * 4
    assert max(latencies) < TURN_BUDGET_SECONDS, sorted(latencies)[-3:]


def test_a_failure_recorded_concurrently_for_the_same_file_is_a_422_not_a_500(make_kb, monkeypatch):
    """Two uploads of one bad file failing together: the second finds no record, then cannot insert one."""
    from services.knowledge_base import ingest

    kb = make_kb()
    corrupt = b"%PDF-1.7\n" + b"garbage" * 10
    assert kb.upload(corrupt, "riverside").status_code == 422
    original, missed = ingest._find_document, []

    def misses_once(session, clinic_id, sha256):
        if sys._getframe(1).f_code.co_name in ("_record_failure", "_store_failure") and not missed:
            missed.append(True)
            return None  # as if the other upload had not committed yet
        return original(session, clinic_id, sha256)

    monkeypatch.setattr(ingest, "_find_document", misses_once)
    again = kb.upload(corrupt, "riverside")
    assert missed and again.status_code == 422, again.get_data(as_text=True)[:300]
    assert again.get_json()["error"] == "corrupt_pdf"
    assert [document["status"] for document in kb.documents("riverside")].count("failed") == 1


def test_uploads_beyond_the_parallel_reads_wait_then_get_a_503_and_no_failed_document(make_kb, monkeypatch):
    from services.knowledge_base import extraction

    monkeypatch.setattr(extraction, "_SLOT_WAIT_SECONDS", 0.1)
    kb = make_kb(parallel_document_reads=1, document_read_seconds=5.0)
    slow = threading.Thread(target=lambda: kb.upload(SLOW, "riverside"))
    slow.start()
    time.sleep(1.0)  # the slow document holds the only slot
    busy = Client(kb.app).post("/kb/documents", headers={"Authorization": f"Bearer {LOCAL_ADMIN_TOKEN}"},
                               content_type="multipart/form-data",
                               data={"clinic": "riverside", "file": (io.BytesIO(GOOD), "good.pdf")})
    slow.join()
    assert busy.status_code == 503 and busy.get_json()["error"] == "extraction_busy", busy.get_json()
    assert all(document["filename"] != "good.pdf" for document in kb.documents("riverside"))
