"""Schedule versions: a clinic's doctors written from a snapshot (an applied document, or an earlier
version brought back), each time recorded as a new numbered version with the snapshot it left, so
that any of them can be restored. The id of the latest version is the clinic's `schedule_version`,
which previews are checked against and other services' caches revalidate against."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.knowledge_base.models import Clinic, Doctor, Document, ScheduleVersion

Snapshot = list[dict[str, Any]]


def doctor_state(doctor: Doctor) -> dict[str, Any]:
    """One doctor as a snapshot entry."""
    return {"id": doctor.id, "name": doctor.name, "department": doctor.department,
            "aliases": list(doctor.aliases or []),
            "weekly_hours": list(doctor.weekly_hours or []), "exceptions": list(doctor.exceptions or []),
            "active": doctor.active}


def current_snapshot(session: Session, clinic_id: int) -> Snapshot:
    """Every doctor of the clinic, active or not, in id order."""
    doctors = session.scalars(select(Doctor).where(Doctor.clinic_id == clinic_id).order_by(Doctor.id))
    return [doctor_state(doctor) for doctor in doctors]


def already_is(current: Snapshot, snapshot: Snapshot) -> bool:
    """Whether writing `snapshot` would change nothing: its doctors are as it says, and the others are
    inactive already (writing it would deactivate them)."""
    stored = {entry["id"]: entry for entry in current}
    wanted = {entry["id"] for entry in snapshot}
    return all(entry["id"] in stored and stored[entry["id"]] == entry for entry in snapshot) and all(
        not entry["active"] for entry in current if entry["id"] not in wanted)


def lock_clinic(session: Session, clinic_id: int) -> Clinic:
    """The clinic row, locked until the transaction ends: schedule changes of one clinic run one at a time."""
    return session.scalars(select(Clinic).where(Clinic.id == clinic_id).with_for_update()).one()


def apply_snapshot(session: Session, *, clinic: Clinic, snapshot: Snapshot, source: str, now: datetime,
                   document_id: int | None = None, staff: str | None = None,
                   restored_from: int | None = None) -> ScheduleVersion:
    """Make the clinic's doctors what the snapshot says (doctors it leaves out are deactivated, never
    deleted) and record the result as the clinic's next version. The clinic must be locked."""
    doctors = {doctor.id: doctor for doctor in session.scalars(select(Doctor).where(Doctor.clinic_id == clinic.id))}
    for entry in snapshot:
        doctor = doctors.pop(entry["id"], None) if entry["id"] is not None else None
        if doctor is None:
            doctor = Doctor(clinic_id=clinic.id, name=entry["name"])
            session.add(doctor)
        doctor.name = entry["name"]
        doctor.department = entry["department"]
        doctor.aliases = entry["aliases"]
        doctor.weekly_hours = entry["weekly_hours"]
        doctor.exceptions = entry["exceptions"]
        doctor.active = entry["active"]
    for doctor in doctors.values():
        doctor.active = False
    session.flush()
    return record_version(session, clinic=clinic, source=source, now=now, document_id=document_id, staff=staff,
                          restored_from=restored_from)


def record_version(session: Session, *, clinic: Clinic, source: str, now: datetime, document_id: int | None = None,
                   staff: str | None = None, restored_from: int | None = None) -> ScheduleVersion:
    """Record the clinic's doctors as they are now as its next version, and make it the current one."""
    number = session.scalar(select(func.max(ScheduleVersion.number)).where(ScheduleVersion.clinic_id == clinic.id))
    version = ScheduleVersion(clinic_id=clinic.id, number=(number or 0) + 1, document_id=document_id, source=source,
                              restored_from=restored_from, doctors=current_snapshot(session, clinic.id),
                              created_by=staff, created_at=now)
    session.add(version)
    session.flush()
    clinic.schedule_version = version.id
    session.flush()
    return version


def current_document_id(session: Session, clinic: Clinic) -> int | None:
    """The document the clinic's current schedule version came from, if any."""
    if not clinic.schedule_version:
        return None
    return session.scalar(select(ScheduleVersion.document_id).where(ScheduleVersion.id == clinic.schedule_version))


def version_of_document(session: Session, clinic_id: int, document_id: int) -> ScheduleVersion | None:
    """The latest version a document's schedule produced for the clinic."""
    return session.scalars(select(ScheduleVersion).where(ScheduleVersion.clinic_id == clinic_id,
                                                         ScheduleVersion.document_id == document_id,
                                                         ScheduleVersion.source != "restore")
                           .order_by(ScheduleVersion.number.desc())).first()


def list_versions(session: Session, clinic_id: int) -> list[tuple[ScheduleVersion, Document | None]]:
    """A clinic's versions, newest first, each with the document it came from."""
    rows = session.execute(select(ScheduleVersion, Document)
                           .outerjoin(Document, Document.id == ScheduleVersion.document_id)
                           .where(ScheduleVersion.clinic_id == clinic_id).order_by(ScheduleVersion.number.desc()))
    return [(version, document) for version, document in rows]


def version_json(version: ScheduleVersion, document: Document | None = None, *, with_doctors: bool = False,
                 current: bool | None = None) -> dict[str, Any]:
    """A version as the API shows it; the doctors it holds when asked."""
    found: dict[str, Any] = {
        "id": version.id, "version": version.number, "source": version.source, "document_id": version.document_id,
        "filename": document.filename if document is not None else None, "restored_from": version.restored_from,
        "created_by": version.created_by, "created_at": version.created_at.isoformat(),
        "active_doctors": sum(1 for entry in version.doctors if entry["active"]),
    }
    if current is not None:
        found["current"] = current
    if with_doctors:
        found["doctors"] = version.doctors
    return found
