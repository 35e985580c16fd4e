"""Each sample layout uploaded through POST /kb/documents yields exactly the doctors it shows."""

from __future__ import annotations

from datetime import date

import pytest

from tools import make_sample_schedules as samples

SAMPLES = samples.SAMPLES_DIR
WEEKDAYS_9_TO_5 = [{"day": day, "start": "09:00", "end": "17:00"} for day in ("mon", "tue", "wed", "thu", "fri")]


def hours(*entries: str) -> list[dict[str, str]]:
    """"mon 09:00-12:00" -> the stored weekly_hours entry."""
    result = []
    for entry in entries:
        day, span = entry.split()
        start, end = span.split("-")
        result.append({"day": day, "start": start, "end": end})
    return result


def next_occurrence(month: int, day: int, last_day: int | None = None) -> tuple[str, str]:
    """The dates a yearless range resolves to: this year's unless it has already ended."""
    today = date.today()
    end = date(today.year, month, last_day or day)
    year = today.year if end >= today else today.year + 1
    return date(year, month, day).isoformat(), date(year, month, last_day or day).isoformat()


def extracted(answer: dict) -> list[tuple[str, str, list[dict[str, str]]]]:
    """(name, department, weekly hours) of each doctor in an upload's answer."""
    return [(doctor["name"], doctor["department"], doctor["weekly_hours"]) for doctor in answer["doctors"]]


def test_committed_samples_are_what_the_generator_writes():
    for filename, build in samples.SAMPLES.items():
        assert (SAMPLES / filename).read_bytes() == build(), f"{filename} is stale: run make sample-pdfs"


def test_table_layout(kb):
    response = kb.upload((SAMPLES / "layout-table.pdf").read_bytes())
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    split_day = ["09:00-12:30", "13:30-17:00"]
    assert extracted(answer) == [
        ("Dr. Sarah Chen", "General Practice",
         hours(*[f"{day} {span}" for day in ("mon", "tue", "wed", "thu", "fri") for span in split_day])),
        ("Dr. James Okafor", "Pediatrics", hours("mon 08:00-12:00", "wed 08:00-12:00", "fri 08:00-12:00")),
        ("Dr. María José García-López", "Cardiology", hours("tue 13:00-18:00", "thu 13:00-18:00")),
        ("Dr. Amélie Dubois-Laurent", "Dermatology",
         hours("mon 08:00-12:00", "tue 08:00-12:00", "wed 08:00-12:00", "thu 08:00-12:00")),
        ("Dr. Seán O'Brien", "Dentistry", hours("sat 09:00-13:00")),
    ]
    assert answer["warnings"] == [] and answer["unchanged"] is False
    assert [doctor["change"] for doctor in answer["doctors"]] == ["created"] * 5
    stored = kb.doctors()
    assert [doctor["name"] for doctor in stored] == [name for name, _, _ in extracted(answer)]
    garcia = stored[2]
    assert "García-López" in garcia["aliases"] and "Doctor García-López" in garcia["aliases"]


def test_doctor_sections_layout_with_leave_and_closure(kb):
    answer = kb.upload((SAMPLES / "layout-doctor-sections.pdf").read_bytes()).get_json()
    assert extracted(answer) == [
        ("Dr. Sarah Chen", "General Practice",
         hours("mon 08:00-12:00", "tue 09:00-12:30", "tue 13:30-17:00", "wed 09:00-12:00", "thu 13:00-17:00")),
        ("Dr. Amélie Dubois-Laurent", "Cardiology",
         hours("mon 14:00-18:00", "tue 14:00-18:00", "wed 14:00-18:00", "fri 08:00-12:00")),
    ]
    leave_start, leave_end = next_occurrence(12, 24, 28)
    new_year, _ = next_occurrence(1, 1)
    chen, dubois = answer["doctors"]
    assert [(item["start_date"], item["end_date"]) for item in chen["exceptions"]] == sorted(
        [(leave_start, leave_end), (new_year, new_year)])
    assert [(item["start_date"], item["end_date"]) for item in dubois["exceptions"]] == [(new_year, new_year)]
    assert answer["closures"][0]["reason"] == "Closed on January 1"
    assert answer["warnings"] == [{"page": 1, "text": "Saturday clinic: by appointment, times vary 9ish",
                                   "reason": "looks like schedule text but could not be read"}]


def test_weekday_sections_layout(kb):
    answer = kb.upload((SAMPLES / "layout-weekday-sections.pdf").read_bytes()).get_json()
    assert extracted(answer) == [
        ("Dr. Sarah Chen", "General Practice", hours("mon 09:00-17:00", "tue 09:00-12:30", "tue 13:30-17:00")),
        ("Dr. James Okafor", "Pediatrics", hours("mon 08:00-12:00", "wed 08:00-12:00")),
        ("Dr. Maria Lopez", "Cardiology", hours("tue 13:00-18:00", "thu 13:00-18:00")),
    ]
    assert answer["warnings"] == []


def test_multi_page_layout_drops_headers_footers_and_uses_the_stated_year(kb):
    answer = kb.upload((SAMPLES / "layout-multi-page.pdf").read_bytes()).get_json()
    assert answer["document"]["page_count"] == 3
    assert len(answer["doctors"]) == 90 and len({doctor["name"] for doctor in answer["doctors"]}) == 90
    chen = answer["doctors"][0]
    # The footer "front desk open Mon-Fri 8am-6pm" repeats on every page and is not a doctor's hours.
    assert (chen["name"], chen["weekly_hours"]) == ("Dr. Sarah Chen", WEEKDAYS_9_TO_5)
    assert [(item["start_date"], item["end_date"]) for item in chen["exceptions"]] == [
        ("2027-01-01", "2027-01-01"), ("2027-12-24", "2027-12-28")]
    last = answer["doctors"][-1]
    assert last["exceptions"] == [{"start_date": "2027-01-01", "end_date": "2027-01-01",
                                   "reason": "Closed on January 1"}]
    assert answer["warnings"] == []


@pytest.mark.parametrize("slug, expected", [
    ("riverside", [
        (1, "Dr. Sarah Chen", "General Practice", WEEKDAYS_9_TO_5),
        (2, "Dr. James Okafor", "Pediatrics", hours("mon 08:00-12:00", "wed 08:00-12:00", "fri 08:00-12:00")),
        (3, "Dr. Maria Lopez", "Cardiology", hours("tue 13:00-18:00", "thu 13:00-18:00")),
    ]),
    ("harbor-dental", [
        (4, "Dr. Priya Patel", "General Dentistry",
         hours("mon 10:00-16:00", "tue 10:00-16:00", "wed 10:00-16:00", "thu 10:00-16:00")),
        (5, "Dr. Tom Becker", "Orthodontics", hours("fri 09:00-15:00")),
    ]),
])
def test_demo_clinics_come_from_their_sample_pdfs(kb, slug, expected):
    doctors = kb.doctors(slug)
    assert [(d["id"], d["name"], d["department"], d["weekly_hours"]) for d in doctors] == expected
    assert all(doctor["exceptions"] == [] for doctor in doctors)
    assert "Doctor Chen" in doctors[0]["aliases"] or slug != "riverside"
    [document] = kb.documents(slug)
    assert (document["status"], document["page_count"], document["errors"]) == ("parsed", 1, [])


def test_pdf_is_stored_in_s3_under_its_sha256(kb):
    pdf = (SAMPLES / "layout-table.pdf").read_bytes()
    document = kb.upload(pdf).get_json()["document"]
    import hashlib

    sha = hashlib.sha256(pdf).hexdigest()
    assert document["sha256"] == sha and document["storage_key"] == f"documents/{sha}.pdf"
    from tests.knowledge_base.conftest import BUCKET

    assert kb.s3.get_object(Bucket=BUCKET, Key=document["storage_key"])["Body"].read() == pdf


def test_demo_loading_is_idempotent(kb, db_factory, tmp_path):
    from services.knowledge_base.service import load_demo_clinics
    from shared.storage import LocalObjectStore

    before = kb.doctors("riverside")
    assert load_demo_clinics(db=db_factory, objects=LocalObjectStore(tmp_path / "again")) == ["riverside",
                                                                                              "harbor-dental"]
    assert kb.doctors("riverside") == before
    assert len(kb.documents("riverside")) == 1
