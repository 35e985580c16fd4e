"""Synthetic schedule PDFs (fpdf2): one per layout the knowledge_base parser reads, the two demo clinics'
schedules, long documents for the benchmark, and damaged files for the bad-input tests.

`python -m tools.make_sample_schedules` rewrites services/knowledge_base/sample_pdfs/; the PDFs there
are committed so `make run` and the tests need no generator. Core fonts with the Windows-1252
encoding cover accents and en/em dashes without shipping a font file.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from fpdf import FPDF

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "services" / "knowledge_base" / "sample_pdfs"
_FIRST_NAMES = ("Sarah", "James", "Maria", "Priya", "Tom", "Amélie", "José", "Hannah", "Kofi", "Lena", "Mateo",
                "Noor", "Oliver", "Ravi", "Sofía", "Yuki", "Zoë", "Ana-Lucía", "Björn", "Chiara", "Dmitri",
                "Elif", "Farid", "Greta", "Hiro", "Inés", "Jonas", "Kai", "Leila", "Miguel")
_SURNAMES = ("Chen", "Okafor", "Lopez", "Patel", "Becker", "Dubois-Laurent", "García", "Nguyen", "Mensah",
             "Kowalski", "Rossi", "Haddad", "O'Brien", "Sharma", "Müller", "Tanaka", "Álvarez", "Andersson",
             "Bianchi", "Costa", "Dubrovski", "Eriksen", "Fischer", "Gómez", "Horvath", "Ivanova", "Jensen",
             "Kim", "Larsen", "Moreau", "Novak", "Ortega", "Petrov", "Quinn", "Ramos", "Silva", "Torres",
             "Ueda", "Vargas", "Weber")
_DEPARTMENTS = ("General Practice", "Pediatrics", "Cardiology", "Dermatology", "Orthopedics", "Neurology")


class SchedulePdf(FPDF):
    """A letter-size page with an optional running header, footer and "Page n of m"."""

    def __init__(self, header_text: str | None = None, footer_text: str | None = None):
        super().__init__(format="letter")
        self.core_fonts_encoding = "windows-1252"
        self.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
        self.header_text = header_text
        self.footer_text = footer_text
        self.set_auto_page_break(True, margin=22)
        self.set_font("helvetica", size=11)

    def header(self) -> None:
        """The running header on every page."""
        if self.header_text:
            self.set_font("helvetica", "I", 9)
            self.cell(0, 6, self.header_text, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)
            self.set_font("helvetica", size=11)

    def footer(self) -> None:
        """The running footer and the page number on every page."""
        self.set_y(-18)
        self.set_font("helvetica", "I", 8)
        if self.footer_text:
            self.cell(0, 5, self.footer_text, new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_font("helvetica", size=11)

    def title_line(self, text: str) -> None:
        """A bold heading."""
        self.set_font("helvetica", "B", 14)
        self.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", size=11)

    def text_line(self, text: str, bold: bool = False) -> None:
        """One line of body text."""
        self.set_font("helvetica", "B" if bold else "", 11)
        self.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", size=11)

    def schedule_table(self, rows: Sequence[Sequence[str]],
                       headings: Sequence[str] = ("Doctor", "Department", "Days", "Hours")) -> None:
        """A bordered table with a heading row repeated on each page."""
        widths = (58, 38, 40, 54) if len(headings) == 4 else None
        with self.table(col_widths=widths, text_align="LEFT", line_height=6) as table:
            heading = table.row()
            for label in headings:
                heading.cell(label)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())


def riverside_demo() -> bytes:
    """Riverside Family Clinic's demo schedule (a table), matching the demo data exactly."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Riverside Family Clinic")
    pdf.text_line("Doctors' weekly schedule")
    pdf.ln(3)
    pdf.schedule_table([
        ("Dr. Sarah Chen", "General Practice", "Mon-Fri", "9:00-17:00"),
        ("Dr. James Okafor", "Pediatrics", "Mon, Wed & Fri", "8:00-12:00"),
        ("Dr. Maria Lopez", "Cardiology", "Tues & Thurs", "1pm-6pm"),
    ])
    return pdf.to_bytes()


def harbor_dental_demo() -> bytes:
    """Harbor Dental's demo schedule (a section per dentist), matching the demo data exactly."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Harbor Dental")
    pdf.text_line("Dentists' schedule")
    pdf.ln(3)
    pdf.text_line("Dr. Priya Patel, DDS", bold=True)
    pdf.text_line("Department: General Dentistry")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday"):
        pdf.text_line(f"{day}: 10am–4pm")
    pdf.text_line("Friday: Closed")
    pdf.ln(3)
    pdf.text_line("Dr. Tom Becker", bold=True)
    pdf.text_line("Department: Orthodontics")
    pdf.text_line("Friday: 9:00 – 15:00")
    return pdf.to_bytes()


def table_layout() -> bytes:
    """A table per doctor row with mixed titles, accents, day lists, 12 h / 24 h times and two shifts."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Lakeside Medical Group — Physician schedule")
    pdf.ln(2)
    pdf.schedule_table([
        ("Dr. Sarah Chen", "General Practice", "Weekdays", "9:00-12:30, 13:30-17:00"),
        ("Doctor James Okafor", "Pediatrics", "Mon, Wed & Fri", "8am–noon"),
        ("María José García-López, MD", "Cardiology", "Tues & Thurs", "1pm to 6pm"),
        ("Dr Amélie Dubois-Laurent", "Dermatology", "Mon-Thu", "08:00—12:00"),
        ("Dr. Seán O'Brien, DDS", "Dentistry", "Sat", "9 a.m. – 1 p.m."),
    ])
    return pdf.to_bytes()


def doctor_sections_layout() -> bytes:
    """A section per doctor with one line per day, plus a leave and a closure without a year."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Riverside Family Clinic — Weekly hours by doctor")
    pdf.ln(2)
    pdf.text_line("Dr. Sarah Chen", bold=True)
    pdf.text_line("Department: General Practice")
    pdf.text_line("Monday: 8am-12pm")
    pdf.text_line("Tuesday: 9:00-12:30, 13:30-17:00")
    pdf.text_line("Wednesday: 9am to noon")
    pdf.text_line("Thurs: 1pm–5pm")
    pdf.text_line("Friday: Closed")
    pdf.ln(3)
    pdf.text_line("Doctor Amélie Dubois-Laurent, MD", bold=True)
    pdf.text_line("Cardiology")
    pdf.text_line("Mon - Wed: 14:00 – 18:00")
    pdf.text_line("Fri: 8 am – 12 pm")
    pdf.ln(3)
    pdf.text_line("Notices", bold=True)
    pdf.text_line("Dr. Chen on leave 24-28 December")
    pdf.text_line("Closed on January 1")
    pdf.text_line("Saturday clinic: by appointment, times vary 9ish")
    return pdf.to_bytes()


def weekday_sections_layout() -> bytes:
    """A section per weekday listing doctors and their hours."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Riverside Family Clinic — Who is in each day")
    pdf.ln(2)
    pdf.text_line("MONDAY", bold=True)
    pdf.text_line("Dr. Sarah Chen (General Practice) 9:00 – 17:00")
    pdf.text_line("Dr. James Okafor (Pediatrics) 8am - noon")
    pdf.text_line("TUESDAY", bold=True)
    pdf.text_line("Dr. Sarah Chen (General Practice) 9:00 – 12:30, 13:30 – 17:00")
    pdf.text_line("Dr. Maria Lopez – Cardiology — 1pm to 6pm")
    pdf.text_line("Wednesday", bold=True)
    pdf.text_line("Dr. James Okafor (Pediatrics) 8am - noon")
    pdf.text_line("Thursday:", bold=True)
    pdf.text_line("Dr. Maria Lopez – Cardiology — 1pm to 6pm")
    return pdf.to_bytes()


def doctor_names(count: int) -> list[str]:
    """`count` distinct generated doctor names, none named Chen (the exceptions in samples name her)."""
    names: list[str] = []
    index = 0
    while len(names) < count:
        surname = _SURNAMES[index % len(_SURNAMES)]
        first = _FIRST_NAMES[(index + index // len(_SURNAMES)) % len(_FIRST_NAMES)]
        if surname != "Chen":
            names.append(f"{first} {surname}")
        index += 1
    return names


def multi_page_layout() -> bytes:
    """A table over several pages with running header and footer, page numbers, and exceptions."""
    pdf = SchedulePdf(header_text="Riverside Family Clinic · Doctors' schedule 2027",
                      footer_text="Riverside Family Clinic · front desk open Mon-Fri 8am-6pm · +1 617 555 0100")
    pdf.add_page()
    pdf.title_line("Doctors' schedule")
    rows = [("Dr. Sarah Chen", "General Practice", "Mon-Fri", "9:00-17:00")]
    for index, name in enumerate(doctor_names(89), start=1):
        department = _DEPARTMENTS[index % len(_DEPARTMENTS)]
        days = ("Mon, Wed & Fri", "Tues & Thurs", "Weekdays", "Mon-Thu")[index % 4]
        hours = ("8:00-12:00", "1pm-5pm", "9am–noon, 1:30pm–5pm", "10:00 – 16:00")[index % 4]
        rows.append((f"Dr. {name}", department, days, hours))
    pdf.schedule_table(rows)
    pdf.ln(4)
    pdf.text_line("Exceptions", bold=True)
    pdf.text_line("Dr. Chen on leave 24-28 December")
    pdf.text_line("Closed on January 1")
    return pdf.to_bytes()


def long_schedule(pages: int, distinct_doctors: int = 40) -> bytes:
    """At least `pages` pages of doctor sections (benchmark input) with running header and footer; the
    same `distinct_doctors` repeat, so what is extracted stays the same size whatever the length."""
    pdf = SchedulePdf(header_text="Benchmark Health · Doctors' schedule",
                      footer_text="Benchmark Health · generated for the extraction benchmark")
    pdf.add_page()
    names = doctor_names(distinct_doctors)
    index = 0
    while pdf.page_no() < pages:
        pdf.text_line(f"Dr. {names[index % len(names)]}", bold=True)
        pdf.text_line(f"Department: {_DEPARTMENTS[index % len(_DEPARTMENTS)]}")
        pdf.text_line("Monday: 8am-12pm")
        pdf.text_line("Tuesday: 9:00-12:30, 13:30-17:00")
        pdf.text_line("Thurs: 1pm–5pm")
        pdf.ln(2)
        index += 1
    return pdf.to_bytes()


def image_only_pdf() -> bytes:
    """A scanned-looking page: one image and no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).text((20, 80), "Dr. Sarah Chen Mon-Fri 9-5", fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=180)
    return bytes(pdf.output())


def encrypted_pdf(password: str = "secret") -> bytes:
    """A valid schedule PDF that needs a password to open."""
    pdf = SchedulePdf()
    pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.add_page()
    pdf.text_line("Dr. Sarah Chen — Mon-Fri 9:00-17:00")
    return pdf.to_bytes()


def prose_pdf(lines: Iterable[str] = ("Welcome to our clinic.", "Parking is available behind the building.")) -> bytes:
    """A readable PDF with no schedule in it."""
    pdf = SchedulePdf()
    pdf.add_page()
    for line in lines:
        pdf.text_line(line)
    return pdf.to_bytes()


def page_count_bomb(declared_pages: int = 10_000_000) -> bytes:
    """A tiny valid PDF whose page tree claims millions of pages."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.root_object["/Pages"].get_object()[NameObject("/Count")] = NumberObject(declared_pages)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


SAMPLES = {
    "riverside.pdf": riverside_demo,
    "harbor-dental.pdf": harbor_dental_demo,
    "layout-table.pdf": table_layout,
    "layout-doctor-sections.pdf": doctor_sections_layout,
    "layout-weekday-sections.pdf": weekday_sections_layout,
    "layout-multi-page.pdf": multi_page_layout,
}


def main() -> None:
    """Write every sample PDF into the knowledge_base service's sample folder."""
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for filename, build in SAMPLES.items():
        (SAMPLES_DIR / filename).write_bytes(build())


if __name__ == "__main__":
    main()
