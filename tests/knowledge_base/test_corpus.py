"""The sample corpus read through POST /kb/documents as clinic staff upload it: for every layout, the
doctors, their departments, weekly hours, leave and the clinic's closures, and no unread line.

The office-*.pdf files were made by LibreOffice from Word and Excel documents (`make sample-pdfs`);
the layout-*.pdf files by fpdf2. Each document states its year, so dates do not depend on the day the
tests run."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from pypdf import PdfReader

from tools import make_sample_schedules as samples

CHRISTMAS_AND_BANK_HOLIDAYS = ["2027-01-01", "2027-04-06", "2027-12-25", "2027-12-28"]


@dataclass
class Expected:
    """What one document says: (name, department, hours) per doctor, leave per doctor, closures."""

    doctors: list[tuple[str, str, str]]
    closures: list[str]
    leave: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def week(weekly_hours: list[dict[str, str]]) -> str:
    """Weekly hours as staff read them: "mon 08:00-12:30 13:30-17:00, tue 08:00-12:30"."""
    days: dict[str, list[str]] = {}
    for rule in weekly_hours:
        days.setdefault(rule["day"], []).append(f"{rule['start']}-{rule['end']}")
    return ", ".join(f"{day} {' '.join(spans)}" for day, spans in days.items())


CORPUS = {
    "office-rota-word.pdf": Expected(
        [("Dr. Anna Kowalski", "Obstetrics & Gynecology",
          "mon 08:00-12:30, wed 09:00-13:00, thu 08:00-12:30 13:30-17:00"),
         ("Dr. Ben Okoro", "Ear/Nose/Throat",
          "mon 09:00-12:00 13:00-17:00, tue 09:00-12:00 13:00-17:00, fri 10:00-16:00"),
         ("Dr. Clara Nguyen-Whitfield", "Family Medicine", "tue 13:00-19:00, wed 13:00-19:00, fri 08:00-12:00")],
        ["2027-01-01", "2027-12-25"], {"Dr. Anna Kowalski": [("2027-01-11", "2027-01-15")]}),
    "office-providers-word.pdf": Expected(
        [("Dr. Katherine Ashworth-Delacroix", "Cardiology", "mon 08:30-16:30, wed 08:30-16:30, fri 08:30-16:30"),
         ("Dr. Rahul Menon", "Orthopaedics & Sports Injuries",
          "tue 09:00-13:00 14:00-17:30, thu 09:00-13:00 14:00-17:30"),
         ("Dr. Eleanor Voss", "Paediatrics", "mon 08:00-12:00, tue 08:00-12:00, wed 08:00-12:00, thu 08:00-12:00, "
                                             "fri 08:00-12:00")],
        ["2027-04-02"], {"Dr. Rahul Menon": [("2027-03-15", "2027-03-19")]}),
    "office-sections-word.pdf": Expected(
        [("Dr. Hannah Whitcombe-Price", "Paediatrics & Neonatology",
          "mon 08:00-12:00, tue 12:00-18:00, thu 08:00-12:00 13:00-17:00"),
         ("Dr. Daniel Osei", "General Practice / Minor Surgery",
          "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, fri 09:00-13:00")],
        ["2027-12-24", "2027-12-25", "2027-12-26", "2028-01-01"],
        {"Dr. Hannah Whitcombe-Price": [("2027-02-08", "2027-02-12")],
         "Dr. Daniel Osei": [("2027-03-01", "2027-03-05")]}),
    "office-rota-excel.pdf": Expected(
        [("Dr. Priya Raman", "Dermatology",
          "mon 08:00-12:30 13:30-17:00, tue 08:00-12:30, thu 08:00-12:30, sat 09:00-12:00"),
         ("Dr. Marcus Hale", "Cardiology", "tue 10:00-18:00, wed 10:00-18:00, fri 10:00-18:00"),
         ("Dr. Sofia Lindqvist", "Obstetrics & Gynecology",
          "mon 07:00-15:00, tue 07:00-15:00, wed 07:00-15:00, fri 07:00-15:00"),
         ("Dr. Jonah Bell", "Urgent Care", "fri 18:00-00:00, sat 12:00-00:00, sun 12:00-00:00")],
        ["2027-12-25", "2027-12-28"]),
    "office-day-rows-excel.pdf": Expected(
        [("Dr. Anna Nowak", "Cardiology",
          "mon 08:00-12:00, tue 08:00-12:00 13:00-17:00, thu 08:00-12:00, fri 08:00-12:00"),
         ("Dr. Ben Okafor", "Ear/Nose/Throat",
          "tue 09:00-12:00 13:00-17:00, wed 09:00-12:00 13:00-17:00, fri 10:00-16:00"),
         ("Dr. Clara Silva", "Obstetrics & Gynecology", "mon 09:00-13:00, wed 09:00-12:00, thu 09:00-13:00"),
         ("Dr. Dev Rao", "Urgent Care", "mon 16:00-00:00, tue 16:00-00:00, thu 16:00-00:00, fri 16:00-00:00, "
                                        "sat 10:00-00:00, sun 12:00-00:00")],
        CHRISTMAS_AND_BANK_HOLIDAYS, {"Dr. Ben Okafor": [("2027-12-24", "2027-12-28")]}),
    "office-unruled-excel.pdf": Expected(
        [("Dr. Fatima Al-Sayed", "Geriatrics", "mon 09:00-13:00, tue 09:00-13:00, thu 14:00-18:00, fri 09:00-13:00"),
         ("Dr. Grace Whitaker", "Physiotherapy", "tue 08:00-12:00, wed 08:00-12:00, thu 08:00-12:00, sat 09:00-12:00"),
         ("Dr. Henrik Larsen", "Pain Management & Anaesthesia", "mon 13:00-17:00, wed 13:00-17:00")],
        [], {"Dr. Henrik Larsen": [("2027-08-02", "2027-08-06")]}),
    "layout-weekday-grid.pdf": Expected(
        [("Dr. Grace Adeyemi", "Family Medicine", "mon 08:00-12:30, tue 08:00-12:30, thu 13:30-18:00, fri 08:00-12:30"),
         ("Dr. Tomás Ferreira", "Sports Medicine",
          "mon 09:00-12:00 13:00-17:00, wed 09:00-12:00 13:00-17:00, thu 09:00-12:00 13:00-17:00, sat 09:00-12:00"),
         ("Dr. Ingrid Solberg", "Women's Health", "tue 10:00-14:00, wed 10:00-14:00"),
         ("Dr. Yusuf Demir", "Ear/Nose/Throat", "mon 07:30-11:00 16:00-19:30, wed 07:30-11:00")],
        CHRISTMAS_AND_BANK_HOLIDAYS, {"Dr. Tomás Ferreira": [("2027-01-11", "2027-01-15")]}),
    "layout-day-rows.pdf": Expected(
        [("Dr. Lucia Bianchi", "Cardiology",
          "mon 08:00-12:00, tue 08:00-12:00 13:00-17:00, thu 08:00-12:00, fri 08:00-12:00"),
         ("Dr. Samuel Osei", "Urgent Care", "mon 16:00-00:00, tue 16:00-00:00, thu 16:00-00:00, fri 16:00-00:00, "
                                            "sat 12:00-00:00, sun 12:00-00:00"),
         ("Dr. Mei Lin Zhou", "Obstetrics & Gynecology", "mon 09:00-13:00, wed 09:00-12:00, thu 09:00-13:00")],
        [], {"Dr. Mei Lin Zhou": [("2027-12-24", "2027-12-28")]}),
    "layout-notes.pdf": Expected(
        [("Dr. Olivia Brandt-Meyer", "Obstetrics & Gynecology",
          "mon 08:00-12:00, tue 08:00-12:00 13:00-17:00, thu 12:00-18:00"),
         ("Dr. Kwame Asante", "Ear/Nose/Throat", "wed 09:00-17:00, fri 09:00-13:00")],
        ["2027-01-01", "2027-04-06", "2027-05-03", "2027-12-24", "2027-12-25", "2027-12-26"],
        {"Dr. Olivia Brandt-Meyer": [("2027-08-02", "2027-08-06")], "Dr. Kwame Asante": [("2027-02-08", "2027-02-12")]},
        ["times in a closure notice are not read as anyone's hours"]),
}


def test_the_corpus_covers_every_sample_and_at_least_ten_layouts():
    on_disk = {path.name for path in samples.SAMPLES_DIR.glob("*.pdf")}
    assert on_disk == set(samples.SAMPLES) | set(samples.OFFICE_SAMPLES)
    assert len(on_disk) >= 10 and set(samples.OFFICE_SAMPLES) <= set(CORPUS)


@pytest.mark.parametrize("filename", sorted(samples.OFFICE_SAMPLES))
def test_office_samples_were_made_by_libreoffice(filename):
    producer = PdfReader(samples.SAMPLES_DIR / filename).metadata.get("/Producer", "")
    assert "LibreOffice" in producer


@pytest.mark.parametrize("filename", sorted(CORPUS))
def test_each_layout_reads_as_written(kb, filename):
    expected = CORPUS[filename]
    response = kb.upload((samples.SAMPLES_DIR / filename).read_bytes(), filename=filename)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert [(doctor["name"], doctor["department"], week(doctor["weekly_hours"])) for doctor in answer["doctors"]] == \
        expected.doctors
    assert [closure["start_date"] for closure in answer["closures"]] == expected.closures
    for doctor in answer["doctors"]:
        leave = [(item["start_date"], item["end_date"]) for item in doctor["exceptions"]
                 if item["start_date"] not in expected.closures]
        assert leave == expected.leave.get(doctor["name"], []), doctor["name"]
        assert sorted({item["start_date"] for item in doctor["exceptions"]} - {start for start, _ in leave}) == \
            expected.closures
    assert [warning["reason"] for warning in answer["warnings"]] == expected.warnings
    stored = {doctor["name"]: doctor for doctor in kb.doctors()}
    assert [(name, stored[name]["department"], week(stored[name]["weekly_hours"])) for name, _, _ in expected.doctors] \
        == expected.doctors
