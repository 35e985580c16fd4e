"""Schedule extraction outside the request thread: each document is read in a child process with a
wall-clock and CPU budget and a memory ceiling, and killed when it exceeds them, so a hostile PDF can
neither hold a web worker (and the GIL every call turn needs) nor keep running after its client left.

Children come from a forkserver with the parser preloaded: a clean process (no threads or sockets
inherited from the web worker) that starts in milliseconds. A few documents are read at a time;
uploads beyond that wait briefly for a slot and are then turned away with a 503.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from services.knowledge_base.pdf_schedule import PdfSchedule, extract_schedule
from services.knowledge_base.pdf_text import PdfProblem
from shared.api import ApiError

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_SLOT_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ExtractionBudget:
    """What reading one document may cost before it is stopped."""

    seconds: float
    memory_bytes: int
    parallel: int
    in_child: bool = True


class Extractor:
    """Reads schedule PDFs in budgeted child processes, a few at a time."""

    def __init__(self, budget: ExtractionBudget):
        self.budget = budget
        _CONTEXT.set_forkserver_preload(["services.knowledge_base.pdf_schedule"])
        self._slots = threading.BoundedSemaphore(budget.parallel)

    def extract(self, data: bytes, *, max_pages: int, today: date, known_names: list[str]) -> PdfSchedule:
        """The extracted schedule; PdfProblem when the document is unreadable or over its budget."""
        if not self._slots.acquire(timeout=_SLOT_WAIT_SECONDS):
            raise ApiError(503, "extraction_busy", "other schedule documents are being read right now; "
                           "upload this one again in a minute", retry_after_seconds=60)
        try:
            if not self.budget.in_child:
                return extract_schedule(data, max_pages=max_pages, today=today, known_names=known_names)
            return self._run(data, max_pages=max_pages, today=today, known_names=known_names)
        finally:
            self._slots.release()

    def _run(self, data: bytes, *, max_pages: int, today: date, known_names: list[str]) -> PdfSchedule:
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        child = _CONTEXT.Process(target=_child, name="schedule-extraction", daemon=True,
                                 args=(sender, data, max_pages, today, known_names, self.budget))
        child.start()
        started = time.monotonic()
        sender.close()
        try:
            outcome = receiver.recv() if receiver.poll(self.budget.seconds) else None
        except EOFError:
            outcome = None  # the child died without answering (out of memory or out of CPU time)
        finally:
            receiver.close()
            if child.is_alive():
                child.kill()
            child.join()
        elapsed = time.monotonic() - started
        if outcome is None:
            log.warning("schedule extraction stopped", extra={"seconds": round(elapsed, 2),
                                                              "exitcode": child.exitcode})
            if elapsed >= self.budget.seconds:
                raise PdfProblem("too_slow_to_read", f"reading this document took longer than the "
                                 f"{self.budget.seconds:g}-second limit and was stopped; split it into smaller "
                                 "files or export a simpler PDF")
            raise PdfProblem("too_large_to_read", "reading this document needed more memory than allowed and was "
                             "stopped; split it into smaller files or export a simpler PDF")
        kind, value = outcome
        if kind == "problem":
            raise PdfProblem(*value)
        if kind == "defect":
            raise RuntimeError(value)
        return value


def _child(sender: Connection, data: bytes, max_pages: int, today: date, known_names: list[str],
           budget: ExtractionBudget) -> None:
    """In the child process: limit it, read the document and send back the outcome."""
    resource.setrlimit(resource.RLIMIT_AS, (budget.memory_bytes, budget.memory_bytes))
    cpu = int(budget.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    outcome: tuple[str, Any]
    try:
        outcome = "done", extract_schedule(data, max_pages=max_pages, today=today, known_names=known_names)
    except PdfProblem as problem:
        outcome = "problem", (problem.code, problem.message, problem.page_count)
    except MemoryError:
        outcome = "problem", ("too_large_to_read", "reading this document needed more memory than allowed; split "
                              "it into smaller files or export a simpler PDF", None)
    except Exception:  # noqa: BLE001 - a parser defect is reported to the parent, which logs it
        outcome = "defect", traceback.format_exc()
    sender.send(outcome)
    sender.close()
