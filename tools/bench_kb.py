"""Benchmark: schedule PDF extraction throughput (pages per second) and peak memory, on generated
200-page and 50-page schedules (memory should stay flat as the page count grows), a dense ruled rota,
and the sample corpus; then the table extractor comparison behind the choice of pypdf's positioned
text and drawn borders over pdfplumber: speed on the same documents, and how many table cells of the
corpus each gives back exactly as they were written (tools/make_sample_schedules.TABLES)."""

from __future__ import annotations

import gc
import io
import os
import platform
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from services.knowledge_base.pdf_schedule import extract_schedule
from services.knowledge_base.pdf_text import open_pdf, page_lines
from services.knowledge_base.schedule_parser import ScheduleParser
from services.knowledge_base.schedule_tables import join_cell_lines
from tools.make_sample_schedules import OFFICE_SAMPLES, SAMPLES, SAMPLES_DIR, TABLES, long_rota, long_schedule

TARGET_SECONDS_FOR_200_PAGES = 5.0
TODAY = date(2026, 11, 22)


def measure(pdf: bytes) -> dict[str, float]:
    """Extract a document once under tracemalloc (peak memory), then time it without (wall and CPU)."""
    gc.collect()
    tracemalloc.start()
    result = extract_schedule(pdf, max_pages=1000, today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started, cpu_started = time.perf_counter(), time.process_time()
    extract_schedule(pdf, max_pages=1000, today=TODAY)
    clean, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"pages": result.page_count, "doctors": len(result.schedule.doctors), "seconds": clean,
            "cpu_seconds": cpu, "pages_per_second": result.page_count / clean, "peak_mib": peak / 2**20,
            "file_mib": len(pdf) / 2**20}


def corpus_throughput() -> tuple[int, int, float]:
    """(documents, pages, CPU seconds) to read every sample PDF once."""
    documents = [(SAMPLES_DIR / name).read_bytes() for name in [*SAMPLES, *OFFICE_SAMPLES]]
    started, pages = time.process_time(), 0
    for pdf in documents:
        pages += extract_schedule(pdf, max_pages=1000, today=TODAY).page_count
    return len(documents), pages, time.process_time() - started


def pdfplumber_seconds(pdf: bytes) -> float:
    """CPU seconds pdfplumber takes to find the tables and the words of every page."""
    import pdfplumber

    started = time.process_time()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            page.extract_tables()
            page.extract_words()
            page.flush_cache()
    return time.process_time() - started


def _normal(cell: str | None) -> str:
    return join_cell_lines((cell or "").split("\n"))


def _cells_matched(written: Sequence[Sequence[str]], found: list[list[str]]) -> int:
    """Cells of the written body rows found exactly, in the row that starts with the same first cell."""
    rows = {_normal(row[0]): [_normal(cell) for cell in row] for row in found if row}
    matched = 0
    for row in written:
        cells = [_normal(cell) for cell in row]
        found_row = rows.get(cells[0], [])
        matched += sum(1 for index, cell in enumerate(cells) if index < len(found_row) and found_row[index] == cell)
    return matched


class _RowRecorder(ScheduleParser):
    """The parser, keeping the cells of every table row it reads (for the comparison only)."""

    rows: list[list[str]]

    def _flush_row(self) -> None:
        if self._row is not None and self._table is not None:
            self.rows.append([self._row.joined([index]) for index in range(len(self._table.columns))])
        super()._flush_row()


def our_rows(pdf: bytes) -> list[list[str]]:
    """The table rows as this service's reader groups them."""
    parser = _RowRecorder(today=TODAY)
    parser.rows = []
    for lines in page_lines(open_pdf(pdf, max_pages=50)):
        parser.feed_page(lines)
    parser.finish()
    return parser.rows


def pdfplumber_rows(pdf: bytes, strategy: str) -> list[list[str]]:
    """The table rows pdfplumber finds with a strategy ("lines": drawn borders; "text": aligned words)."""
    import pdfplumber

    settings: dict[str, Any] = {"vertical_strategy": strategy, "horizontal_strategy": strategy}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [[cell or "" for cell in row] for page in document.pages
                for table in page.extract_tables(settings) for row in table]


def cell_accuracy(read: Callable[[bytes], list[list[str]]]) -> tuple[int, int, list[str]]:
    """(cells read exactly, cells written, documents with a miss) over the corpus tables."""
    matched = total = 0
    missed = []
    for filename, (rows, header_rows) in TABLES.items():
        body = rows[header_rows:]
        got = _cells_matched(body, read((SAMPLES_DIR / filename).read_bytes()))
        written = sum(len(row) for row in body)
        matched, total = matched + got, total + written
        if got < written:
            missed.append(f"{filename} {got}/{written}")
    return matched, total, missed


def main() -> None:
    """Print the figures and the machine they were measured on."""
    print(f"machine: {platform.platform()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} CPUs · Python {platform.python_version()}")
    sections_50, sections_200, rota_200 = long_schedule(50), long_schedule(200), long_rota(200)
    small, large, rota = measure(sections_50), measure(sections_200), measure(rota_200)
    for label, figures in (("doctor sections", small), ("doctor sections", large), ("dense ruled rota", rota)):
        print(f"knowledge_base PDF extraction, {label}: {figures['pages']} pages, {figures['doctors']} doctors in "
              f"{figures['seconds']:.2f} s wall ({figures['cpu_seconds']:.2f} s CPU) = "
              f"{figures['pages_per_second']:.0f} pages/s wall, {figures['pages'] / figures['cpu_seconds']:.0f} "
              f"pages/s CPU; peak traced memory "
              f"{figures['peak_mib']:.1f} MiB (file {figures['file_mib']:.2f} MiB)")
    verdict = "meets" if large["seconds"] < TARGET_SECONDS_FOR_200_PAGES else "MISSES"
    print(f"200 pages in {large['seconds']:.2f} s {verdict} the {TARGET_SECONDS_FOR_200_PAGES:.0f} s target; "
          f"peak memory 200 vs 50 pages: {large['peak_mib'] / small['peak_mib']:.2f}x; the dense rota "
          f"({rota['pages']} pages of 28 ruled rows x 9 columns) at "
          f"{rota['cpu_seconds'] / rota['pages'] * 1000:.0f} ms "
          f"CPU per page")
    documents, pages, seconds = corpus_throughput()
    print(f"sample corpus: {documents} documents, {pages} pages in {seconds:.2f} s CPU = {pages / seconds:.0f} pages/s")
    try:
        import pdfplumber  # noqa: F401 - only to say whether the comparison can run
    except ModuleNotFoundError:
        print("pdfplumber is not installed (requirements-dev.txt): no extractor comparison")
        return
    for label, pdf, ours in (("doctor sections", sections_200, large), ("dense ruled rota", rota_200, rota)):
        plumber = pdfplumber_seconds(pdf)
        print(f"pdfplumber tables + words, {label}: {ours['pages']} pages in {plumber:.2f} s CPU = "
              f"{ours['pages'] / plumber:.0f} pages/s ({plumber / ours['cpu_seconds']:.1f}x this service's reader)")
    for label, read in (("this service (pypdf text + drawn borders)", our_rows),
                        ("pdfplumber, drawn borders", lambda pdf: pdfplumber_rows(pdf, "lines")),
                        ("pdfplumber, aligned text", lambda pdf: pdfplumber_rows(pdf, "text"))):
        matched, total, missed = cell_accuracy(read)
        print(f"table cells read as written, {label}: {matched}/{total} ({matched / total:.0%})"
              + (f"; short: {', '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
