"""Booked appointments as knowledge_base needs them: asked of calendly, which owns them, over HTTP
(ids, doctors and times only, never patient data), and checked against doctors' hours with
shared/working_hours.py, the one owner of "inside hours"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.service_client import ServiceClient
from shared.working_hours import closed_dates, is_within

_IDS_PER_REQUEST = 100

DEACTIVATED = "doctor deactivated"
AWAY = "the doctor is away or the clinic is closed that day"
OUTSIDE = "outside the doctor's new hours"


class BookedAppointments:
    """Booked appointments that have not ended, of given doctors, from calendly."""

    def __init__(self, client: ServiceClient):
        self.client = client

    def upcoming(self, *, doctor_ids: Iterable[int], after: datetime) -> list[dict[str, Any]]:
        """Appointments ending after `after`, in start order; ServiceCallError when calendly cannot answer."""
        ids = sorted(set(doctor_ids))
        found: list[dict[str, Any]] = []
        for first in range(0, len(ids), _IDS_PER_REQUEST):
            chunk = ",".join(str(doctor_id) for doctor_id in ids[first:first + _IDS_PER_REQUEST])
            after_id: int | None = 0
            while after_id is not None:
                answer = self.client.get("calendly", "/calendly/booked-appointments", doctor_ids=chunk,
                                         after=after.isoformat(), after_id=after_id)
                found.extend(answer["appointments"])
                after_id = answer["next_after_id"]
        return sorted(found, key=lambda appointment: (appointment["start"], appointment["id"]))


def outside_hours(*, appointments: list[dict[str, Any]], doctors: dict[int, dict[str, Any]],
                  zone: str) -> list[dict[str, Any]]:
    """The appointments a doctor's hours (a snapshot entry each) no longer hold, with why."""
    local = ZoneInfo(zone)
    report = []
    for appointment in appointments:
        doctor = doctors.get(appointment["doctor_id"])
        if doctor is None:
            continue
        start, end = datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"])
        if doctor["active"] and is_within(doctor["weekly_hours"], doctor["exceptions"], zone, start, end):
            continue
        if not doctor["active"]:
            reason = DEACTIVATED
        elif start.astimezone(local).date() in closed_dates(doctor["exceptions"]):
            reason = AWAY
        else:
            reason = OUTSIDE
        report.append({"appointment_id": appointment["id"], "doctor_id": doctor["id"], "doctor": doctor["name"],
                       "start": start.isoformat(), "end": end.isoformat(),
                       "start_local": start.astimezone(local).isoformat(), "reason": reason})
    return report
