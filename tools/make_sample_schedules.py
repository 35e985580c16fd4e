"""Sample schedule PDFs, one per layout the knowledge_base parser reads: fpdf2 documents (also the two
demo clinics' schedules, long documents for the benchmark and damaged files for the bad-input tests),
and Word and Excel documents (python-docx, openpyxl) exported to PDF by LibreOffice headless, as
clinic staff make them.

`python -m tools.make_sample_schedules` rewrites services/knowledge_base/sample_pdfs/; the PDFs there
are committed so `make run` and the tests need no generator. The fpdf2 files are byte-stable (a test
checks them); LibreOffice's are not (it stamps dates and ids), so they are rewritten only where
LibreOffice (`soffice`) is installed and otherwise kept as committed. Core fonts with the
Windows-1252 encoding cover accents and en/em dashes without shipping a font file.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

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
        self.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
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
                       headings: Sequence[str] = ("Doctor", "Department", "Days", "Hours"),
                       widths: Sequence[float] | None = (58, 38, 40, 54)) -> None:
        """A bordered table with a heading row repeated on each page."""
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


TABLE_ROWS = (
    ("Doctor", "Department", "Days", "Hours"),
    ("Dr. Sarah Chen", "General Practice", "Weekdays", "9:00-12:30, 13:30-17:00"),
    ("Doctor James Okafor", "Pediatrics", "Mon, Wed & Fri", "8am–noon"),
    ("María José García-López, MD", "Cardiology", "Tues & Thurs", "1pm to 6pm"),
    ("Dr Amélie Dubois-Laurent", "Dermatology", "Mon-Thu", "08:00—12:00"),
    ("Dr. Seán O'Brien, DDS", "Dentistry", "Sat", "9 a.m. – 1 p.m."),
)


def table_layout() -> bytes:
    """A table per doctor row with mixed titles, accents, day lists, 12 h / 24 h times and two shifts."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Lakeside Medical Group — Physician schedule")
    pdf.ln(2)
    pdf.schedule_table(TABLE_ROWS[1:])
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


WEEKDAY_GRID_ROWS = (
    ("Physician", "Clinical", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    ("", "specialty", "", "", "", "", "", "", ""),
    ("Dr. Grace Adeyemi", "Family Medicine", "08.00-12.30", "08.00-12.30", "OFF", "13.30-18.00", "08.00-12.30", "-",
     ""),
    ("Dr. Tomás Ferreira", "Sports Medicine", "9-12 / 1-5", "Closed", "9-12 / 1-5", "9-12 / 1-5", "OFF", "9am-noon",
     ""),
    ("Ingrid Solberg, MD", "Women's Health", "", "10:00-14:00", "10:00-14:00", "", "", "", ""),
    ("Dr. Yusuf Demir", "Ear/Nose/Throat", "07:30-11:00, 16:00-19:30", "", "07:30-11:00", "", "", "", ""),
)


def weekday_grid_layout() -> bytes:
    """An unruled rota: a row per doctor, a column per weekday with Saturday and Sunday, the header over
    two lines, OFF / Closed / - / blank cells, 24-hour times with dots, split shifts, and notes."""
    pdf = SchedulePdf()
    pdf.add_page(orientation="landscape")
    pdf.title_line("Eastbrook Surgery - clinician rota 2027")
    pdf.ln(3)
    widths = (52, 38, 42, 26, 26, 26, 26, 20, 16)
    header, rows = WEEKDAY_GRID_ROWS[:2], WEEKDAY_GRID_ROWS[2:]
    pdf.set_font("helvetica", "B", 10)
    for line in header:
        for width, text in zip(widths, line, strict=True):
            pdf.cell(width, 6, text)
        pdf.ln(6)
    pdf.set_font("helvetica", size=10)
    for row in rows:
        for width, text in zip(widths, row, strict=True):
            pdf.cell(width, 7, text)
        pdf.ln(7)
    pdf.ln(4)
    pdf.multi_cell(190, 6, "Please note: the surgery is closed on 25 and 28 December and on bank holidays: "
                           "1 January, 6 April. Dr. Ferreira is away January 11-15, 2027.", align="L")
    return pdf.to_bytes()


DAY_ROWS = (
    ("Day", "Dr. Lucia Bianchi\nCardiology", "Dr. Samuel Osei\nUrgent Care",
     "Dr. Mei Lin Zhou\nObstetrics & Gynecology"),
    ("Monday", "08:00-12:00", "16:00-midnight", "9am-1pm"),
    ("Tuesday", "08:00-12:00\n13:00-17:00", "16:00-midnight", "OFF"),
    ("Wednesday", "-", "OFF", "9am-noon"),
    ("Thursday", "08:00-12:00", "16:00-midnight", "9am-1pm"),
    ("Friday", "08:00-12:00", "16:00-midnight", "Closed"),
    ("Saturday", "", "noon-midnight", ""),
    ("Sunday", "", "noon-midnight", ""),
)


def day_rows_layout() -> bytes:
    """A ruled table with a row per weekday and a column per doctor, each doctor's department on the
    line under the name, Saturday and Sunday rows, "noon" and "midnight"."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Harbourside Walk-in Centre - weekly cover 2027")
    pdf.ln(2)
    pdf.schedule_table(DAY_ROWS[1:], headings=DAY_ROWS[0], widths=(30, 50, 50, 60))
    pdf.ln(4)
    pdf.text_line("Dr. Zhou is on leave 24-28 December.")
    return pdf.to_bytes()


def notes_layout() -> bytes:
    """Doctor sections with notes in prose around them: closures for the whole clinic (a list of days,
    bank holidays), two doctors' leave in one wrapped sentence, and a lunch closure with times that
    must not become anyone's hours."""
    pdf = SchedulePdf()
    pdf.add_page()
    pdf.title_line("Millbrook Medical Practice - schedule 2027")
    pdf.ln(2)
    pdf.multi_cell(170, 6, "Welcome to the practice schedule. The practice is closed on 24, 25 and 26 December "
                           "and on 1 January; please plan repeat prescriptions around these dates.", align="L")
    pdf.ln(3)
    pdf.text_line("Dr. Olivia Brandt-Meyer", bold=True)
    pdf.text_line("Obstetrics & Gynecology")
    pdf.text_line("Monday: 08.00 - 12.00")
    pdf.text_line("Tuesday: 08.00 - 12.00 and 13.00 - 17.00")
    pdf.text_line("Thursday: noon - 18.00")
    pdf.text_line("The clinic closes for lunch 12:30-13:30 on Wednesdays.")
    pdf.ln(3)
    pdf.text_line("Dr. Kwame Asante", bold=True)
    pdf.text_line("Department: Ear/Nose/Throat")
    pdf.text_line("Wednesday: 9am - 5pm")
    pdf.text_line("Friday: 9am - 1pm")
    pdf.ln(3)
    pdf.text_line("Bank holidays: 1 January, 6 April, 3 May.")
    pdf.multi_cell(120, 6, "Dr. Asante is away from the practice for a conference on February 8-12, and Dr. "
                           "Brandt-Meyer is on leave 2-6 August.", align="L")
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


def long_rota(pages: int, distinct_doctors: int = 40) -> bytes:
    """At least `pages` pages of a ruled weekday grid (benchmark input): a row per doctor, a column per
    weekday, the heading row repeated on every page; the same `distinct_doctors` repeat."""
    pdf = SchedulePdf(header_text="Benchmark Health · Clinician rota", footer_text="Benchmark Health · rota")
    pdf.add_page(orientation="landscape")
    names = doctor_names(distinct_doctors)
    cells = ("08:00-12:30", "OFF", "9-12 / 1-5", "13:00-17:00", "-", "08.00-noon", "")
    rows_per_page = 29  # about what fits a landscape page
    with pdf.table(col_widths=(52, 40, 26, 26, 26, 26, 26, 24, 24), text_align="LEFT", line_height=6) as table:
        heading = table.row()
        for label in ("Clinician", "Role", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
            heading.cell(label)
        for index in range(pages * rows_per_page):
            row = table.row()
            row.cell(f"Dr. {names[index % len(names)]}")
            row.cell(_DEPARTMENTS[index % len(_DEPARTMENTS)])
            for day in range(7):
                row.cell(cells[(index + day) % len(cells)])
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


# Word and Excel documents as staff write them, exported to PDF by LibreOffice.

def office_pdf(document: bytes, suffix: str) -> bytes:
    """A Word (.docx) or Excel (.xlsx) document exported to PDF by LibreOffice headless (`soffice`)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed (Debian: libreoffice-writer-nogui libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory(prefix="schedules-") as folder:
        source = Path(folder) / f"schedule{suffix}"
        source.write_bytes(document)
        # A profile of its own, so a LibreOffice already running for someone else is not disturbed.
        subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", folder, str(source)],
                       check=True, capture_output=True, timeout=180)
        return (Path(folder) / "schedule.pdf").read_bytes()


def _docx_table(document, rows: Sequence[Sequence[str]], widths_cm: Sequence[float], style: str | None = "Table Grid"):
    from docx.shared import Cm, Pt

    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    if style:
        table.style = style
    table.autofit = False
    for row_index, values in enumerate(rows):
        for column, value in enumerate(values):
            cell = table.cell(row_index, column)
            cell.width = Cm(widths_cm[column])
            lines = value.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10)
                    run.bold = row_index == 0
    return table


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


WORD_ROTA_ROWS = (
    ("Clinician", "Role", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    ("Dr. Anna Kowalski", "Obstetrics & Gynecology", "08:00-12:30", "OFF", "9am-1pm", "08:00-12:30, 13:30-17:00", "-"),
    ("Dr. Ben Okoro", "Ear/Nose/Throat", "9-12 / 1-5", "9-12 / 1-5", "Closed", "", "10:00-16:00"),
    ("Dr. Clara Nguyen-Whitfield", "Family Medicine", "OFF", "13:00-19:00", "13:00-19:00", "OFF", "08.00-noon"),
)


def word_rota() -> bytes:
    """Word: a ruled rota, "Clinician | Role | Monday ... Friday", narrow columns that wrap names (one
    hyphenated) and departments, OFF / Closed / - / blank cells, and a notes paragraph."""
    from docx import Document

    document = Document()
    document.add_heading("Lakeside Medical Group", level=1)
    document.add_paragraph("Clinician rota from 4 January 2027")
    _docx_table(document, WORD_ROTA_ROWS, (2.6, 2.6, 2.2, 2.2, 2.2, 2.2, 2.2))
    document.add_paragraph("")
    document.add_paragraph("Notes: the office is closed on December 25 and January 1. Dr. Kowalski is away "
                           "January 11-15, 2027.")
    return office_pdf(_docx_bytes(document), ".docx")


WORD_PROVIDER_ROWS = (
    ("Provider", "Clinic days", "Hours"),
    ("Dr. Katherine Ashworth-Delacroix\nMD, FACC\nCardiology", "Mon, Wed & Fri", "8:30 am - 4:30 pm"),
    ("Dr. Rahul Menon\nMBBS, FRCS\nOrthopaedics & Sports Injuries", "Tuesday / Thursday", "09:00-13:00, 14:00-17:30"),
    ("Dr. Eleanor Voss\nDO\nPaediatrics", "Weekdays", "8-12"),
)


def word_providers() -> bytes:
    """Word: a provider table whose first cell holds the name (one hyphenated name wraps), credentials and
    department on separate lines, with Clinic days and Hours columns."""
    from docx import Document

    document = Document()
    document.add_heading("Riverbend Specialty Clinic - providers 2027", level=1)
    _docx_table(document, WORD_PROVIDER_ROWS, (3.8, 4.5, 6.0))
    document.add_paragraph("")
    document.add_paragraph("Dr. Menon is on leave 15-19 March 2027. The clinic is closed on 2 April 2027.")
    return office_pdf(_docx_bytes(document), ".docx")


def word_sections() -> bytes:
    """Word: a heading per doctor, the department on the line under it, a line per day, and a notes
    paragraph naming two doctors' leave and the practice's closures."""
    from docx import Document

    document = Document()
    document.add_heading("Willow Lane Practice - doctors' hours 2027", level=1)
    for name, department, days in (
        ("Dr. Hannah Whitcombe-Price", "Paediatrics & Neonatology",
         ("Monday 08.00 – 12.00", "Tuesday noon – 18.00", "Wednesday: off", "Thursday 08.00-12.00 and 13.00-17.00")),
        ("Dr. Daniel Osei", "General Practice / Minor Surgery",
         ("Mon–Wed 9am–5pm", "Friday 9am–1pm", "Saturday: closed")),
    ):
        document.add_heading(name, level=2)
        document.add_paragraph(department)
        for day in days:
            document.add_paragraph(day)
    document.add_heading("Notes", level=2)
    document.add_paragraph("The practice is closed on 24, 25 and 26 December 2027 and on 1 January 2028. Dr. "
                           "Whitcombe-Price is on leave from 8 to 12 February 2027, and Dr. Osei will be away "
                           "March 1-5, 2027.")
    return office_pdf(_docx_bytes(document), ".docx")


def _sheet(title: str, rows: Sequence[Sequence[str]], widths: Sequence[float], *, ruled: bool,
           header_rows: int = 1, tall_rows: Iterable[int] = (), notes: Sequence[str] = ()):
    """An Excel sheet, landscape and fit to one page wide, its table starting on the third row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rota"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    thin = Side(style="thin")
    for index, values in enumerate(rows):
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = Font(bold=index < header_rows)
            if ruled:
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in tall_rows:
        sheet.row_dimensions[3 + row].height = 28
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.append([])
    for note in notes:
        sheet.append([note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXCEL_ROTA_ROWS = (
    ("Provider", "Department", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    ("", "", "4 Jan", "5 Jan", "6 Jan", "7 Jan", "8 Jan", "9 Jan", "10 Jan"),
    ("Dr. Priya Raman", "Dermatology", "08:00-12:30\n13:30-17:00", "08:00-12:30", "OFF", "08:00-12:30", "OFF",
     "09:00-12:00", ""),
    ("Dr. Marcus Hale", "Cardiology", "OFF", "10:00-18:00", "10:00-18:00", "OFF", "10:00-18:00", "", ""),
    ("Dr. Sofia Lindqvist", "Obstetrics & Gynecology", "7am-3pm", "7am-3pm", "7am-3pm", "Closed", "7am-3pm", "-",
     "-"),
    ("Dr. Jonah Bell", "Urgent Care", "", "", "", "", "18:00-midnight", "noon-midnight", "noon-midnight"),
)


def excel_rota() -> bytes:
    """Excel: a ruled rota Monday to Sunday, landscape fit to page, the header over two rows (the dates
    under the weekdays), a split shift on two lines in one cell."""
    document = _sheet("Kingsway Health Centre - provider rota, week of 4 January 2027", EXCEL_ROTA_ROWS,
                      (20, 22, 13, 13, 13, 13, 15, 14, 14), ruled=True, header_rows=2, tall_rows=(2,),
                      notes=("The centre is closed on 25 and 28 December 2027.",))
    return office_pdf(document, ".xlsx")


EXCEL_DAY_ROWS = (
    ("Day", "Dr. Anna Nowak\nCardiology", "Dr. Ben Okafor\nEar/Nose/Throat", "Dr. Clara Silva\nObstetrics & Gynecology",
     "Dr. Dev Rao\nUrgent Care"),
    ("Monday", "08.00-12.00", "OFF", "9am-1pm", "16:00-midnight"),
    ("Tuesday", "08.00-12.00\n13.00-17.00", "9-12 / 1-5", "Closed", "16:00-midnight"),
    ("Wednesday", "-", "9-12 / 1-5", "9am-noon", ""),
    ("Thursday", "08.00-12.00", "OFF", "9am-1pm", "16:00-midnight"),
    ("Friday", "08.00-12.00", "10:00-16:00", "OFF", "16:00-midnight"),
    ("Saturday", "OFF", "OFF", "OFF", "10:00-midnight"),
    ("Sunday", "", "", "", "noon-midnight"),
)


def excel_day_rows() -> bytes:
    """Excel: a row per weekday and a column per doctor, the department under each name in the header
    cell, Saturday and Sunday rows, 24-hour times with dots, noon and midnight; notes under it."""
    document = _sheet("Northgate Health Centre - weekly rota 2027", EXCEL_DAY_ROWS, (14, 24, 24, 28, 20), ruled=True,
                      tall_rows=(0, 2), notes=(
                          "Notes: the centre is closed on 25 and 28 December and on bank holidays: 1 January, 6 April.",
                          "Dr. Okafor is on leave 24-28 December."))
    return office_pdf(document, ".xlsx")


EXCEL_UNRULED_ROWS = (
    ("Doctor", "Speciality", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"),
    ("Dr. Fatima Al-Sayed", "Geriatrics", "09:00-13:00", "09:00-13:00", "", "14:00-18:00", "09:00-13:00", ""),
    ("Grace Whitaker", "Physiotherapy", "OFF", "8-12", "8-12", "8-12", "OFF", "9-12"),
    ("Dr. Henrik Larsen", "Pain Management & Anaesthesia", "13:00-17:00", "", "13:00-17:00", "", "", ""),
)


def excel_unruled() -> bytes:
    """Excel without borders: a rota with Saturday, names with and without a title, notes below."""
    document = _sheet("Brookside Clinic rota 2027", EXCEL_UNRULED_ROWS, (22, 30, 13, 12, 12, 12, 13, 10), ruled=False,
                      notes=("Dr. Larsen is on leave 2-6 August 2027.",))
    return office_pdf(document, ".xlsx")


SAMPLES: dict[str, Callable[[], bytes]] = {
    "riverside.pdf": riverside_demo,
    "harbor-dental.pdf": harbor_dental_demo,
    "layout-table.pdf": table_layout,
    "layout-doctor-sections.pdf": doctor_sections_layout,
    "layout-weekday-sections.pdf": weekday_sections_layout,
    "layout-multi-page.pdf": multi_page_layout,
    "layout-weekday-grid.pdf": weekday_grid_layout,
    "layout-day-rows.pdf": day_rows_layout,
    "layout-notes.pdf": notes_layout,
}
# The tables of the samples as written (their header rows first), to measure table extractors against.
TABLES: dict[str, tuple[Sequence[Sequence[str]], int]] = {
    "layout-table.pdf": (TABLE_ROWS, 1),
    "layout-weekday-grid.pdf": (WEEKDAY_GRID_ROWS, 2),
    "layout-day-rows.pdf": (DAY_ROWS, 1),
    "office-rota-word.pdf": (WORD_ROTA_ROWS, 1),
    "office-providers-word.pdf": (WORD_PROVIDER_ROWS, 1),
    "office-rota-excel.pdf": (EXCEL_ROTA_ROWS, 2),
    "office-day-rows-excel.pdf": (EXCEL_DAY_ROWS, 1),
    "office-unruled-excel.pdf": (EXCEL_UNRULED_ROWS, 1),
}
# Made by LibreOffice: not byte-stable, rewritten only where LibreOffice is installed.
OFFICE_SAMPLES: dict[str, Callable[[], bytes]] = {
    "office-rota-word.pdf": word_rota,
    "office-providers-word.pdf": word_providers,
    "office-sections-word.pdf": word_sections,
    "office-rota-excel.pdf": excel_rota,
    "office-day-rows-excel.pdf": excel_day_rows,
    "office-unruled-excel.pdf": excel_unruled,
}


def main() -> None:
    """Write every sample PDF into the knowledge_base service's sample folder."""
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for filename, build in SAMPLES.items():
        (SAMPLES_DIR / filename).write_bytes(build())
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        sys.stderr.write("LibreOffice is not installed: the office-*.pdf samples are kept as committed "
                         "(install libreoffice-writer-nogui and libreoffice-calc-nogui to rewrite them)\n")
        return
    for filename, build in OFFICE_SAMPLES.items():
        (SAMPLES_DIR / filename).write_bytes(build())


if __name__ == "__main__":
    main()
