"""EXPLAIN of the hot-path queries on Postgres, built by the very functions the services run: which
index each one reads, with rows, buffers and time when analysed. The plan tests assert the indexes
are used; `make bench-scale` prints the plans at each size as evidence."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement, Executable

from services.calendly.models import BOOKED
from services.calendly.outbox import due_notifications
from services.calendly.reminders import KIND, recorded_keys, reminder_candidates
from services.calendly.service import booked_in_window, phone_lookup


class _Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a statement, bound parameters and all."""

    inherit_cache = False

    def __init__(self, statement: Select, analyze: bool):
        self.statement = statement
        self.analyze = analyze


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler, **kwargs) -> str:
    options = "ANALYZE, BUFFERS, FORMAT JSON" if element.analyze else "FORMAT JSON"
    return f"EXPLAIN ({options}) " + compiler.process(element.statement, **kwargs)


@dataclass(frozen=True)
class HotPath:
    """One hot-path query and the index it must read."""

    name: str
    statement: Select
    index: str


@dataclass(frozen=True)
class Plan:
    """What EXPLAIN said about one query."""

    path: HotPath
    root: dict[str, Any]
    execution_ms: float | None

    def nodes(self) -> Iterator[dict[str, Any]]:
        """Every node of the plan tree."""
        pending = [self.root]
        while pending:
            node = pending.pop()
            yield node
            pending.extend(node.get("Plans", []))

    @property
    def indexes(self) -> set[str]:
        """The indexes the plan reads."""
        return {node["Index Name"] for node in self.nodes() if "Index Name" in node}

    @property
    def scans_table(self) -> bool:
        """True when some node reads a whole table."""
        return any(node["Node Type"] == "Seq Scan" for node in self.nodes())

    def summary(self) -> str:
        """One line: the query, the scans and indexes, rows, buffers and time."""
        scans = ", ".join(sorted({f"{node['Node Type']} {node.get('Index Name', '')}".strip()
                                  for node in self.nodes() if "Scan" in node["Node Type"]}))
        line = f"{self.path.name:<32} {scans}"
        if self.execution_ms is not None:
            buffers = self.root.get("Shared Hit Blocks", 0) + self.root.get("Shared Read Blocks", 0)
            line += f"  rows {self.root.get('Actual Rows', 0)}, buffers {buffers}, {self.execution_ms:.2f} ms"
        return line


def hot_paths(*, phone: str, clinic_id: int, doctor_id: int, appointment_id: int, now: datetime) -> list[HotPath]:
    """The queries a call, an SMS reply and a reminders pass run, with the index each must use."""
    return [
        HotPath("phone lookup (SMS reply)", phone_lookup(phone=phone, status=BOOKED, after=now),
                "ix_appointments_phone_start"),
        HotPath("phone lookup in a clinic (call)", phone_lookup(phone=phone, clinic_id=clinic_id, status=BOOKED,
                                                                after=now), "ix_appointments_phone_start"),
        HotPath("free slots: booked rows", booked_in_window(doctor_id=doctor_id, start=now + timedelta(hours=2),
                                                            end=now + timedelta(days=60)),
                "ix_appointments_booked_doctor_end"),
        HotPath("reminders: candidates", reminder_candidates(now=now), "ix_appointments_booked_start"),
        HotPath("reminders: already recorded", recorded_keys([f"appointment:{appointment_id}:{KIND}:v1"]),
                "notification_outbox_idempotency_key_key"),
        HotPath("notification hand-over", due_notifications(now=now, limit=50, appointment_id=appointment_id),
                "ix_outbox_undelivered_appointment"),
    ]


def explain(db: Session | Connection, path: HotPath, *, analyze: bool = False) -> Plan:
    """EXPLAIN one hot path (ANALYZE runs it, inside the caller's transaction)."""
    [document] = db.execute(_Explain(path.statement, analyze)).scalar_one()
    return Plan(path, document["Plan"], document.get("Execution Time"))

