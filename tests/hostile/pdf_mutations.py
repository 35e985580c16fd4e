"""Mutated PDFs for fuzzing document ingestion: a real schedule PDF made with fpdf2, then truncated,
bit-flipped, spliced, duplicated, or with its streams and cross-reference table damaged."""

from __future__ import annotations

from fpdf import FPDF
from hypothesis import strategies as st


def schedule_pdf() -> bytes:
    """A small, valid schedule document like the ones clinics send."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Riverside Family Clinic - Doctor schedules", new_x="LMARGIN", new_y="NEXT")
    for name, days in (("Dr. Sarah Chen", "Mon-Fri 09:00-17:00"), ("Dr. James Okafor", "Tue, Thu 10:00-16:00")):
        pdf.cell(0, 8, f"{name}    {days}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


BASE = schedule_pdf()
MARKERS = (b"xref", b"trailer", b"startxref", b"/Length", b"stream", b"endobj", b"/Root", b"%%EOF", b"obj")


def _apply(data: bytes, mutation: tuple) -> bytes:
    kind, position, size, byte = mutation
    at = position % (len(data) + 1)
    if kind == "truncate":
        return data[:at]
    if kind == "flip" and data:
        index = position % len(data)
        return data[:index] + bytes([data[index] ^ (1 << (byte % 8))]) + data[index + 1:]
    if kind == "delete":
        return data[:at] + data[at + size:]
    if kind == "duplicate":
        return data[:at] + data[at:at + size] * 3 + data[at:]
    if kind == "insert":
        return data[:at] + bytes([byte]) * size + data[at:]
    if kind == "marker":
        marker = MARKERS[byte % len(MARKERS)]
        found = data.find(marker)
        return data if found < 0 else data[:found] + b"9" * len(marker) + data[found + len(marker):]
    return data


def mutated_pdfs() -> st.SearchStrategy[bytes]:
    """The schedule PDF with one to six random mutations, or junk that only claims to be a PDF."""
    mutation = st.tuples(st.sampled_from(("truncate", "flip", "delete", "duplicate", "insert", "marker")),
                         st.integers(min_value=0, max_value=len(BASE)), st.integers(min_value=1, max_value=400),
                         st.integers(min_value=0, max_value=255))

    def mutate(mutations: list[tuple]) -> bytes:
        data = BASE
        for item in mutations:
            data = _apply(data, item)
        return data

    return st.one_of(st.lists(mutation, min_size=1, max_size=6).map(mutate),
                     st.binary(max_size=2000).map(lambda junk: b"%PDF-1.7\n" + junk),
                     st.sampled_from((b"", b"%PDF-", b"%PDF-1.4\n%%EOF", BASE[: len(BASE) // 2], BASE * 2)))
