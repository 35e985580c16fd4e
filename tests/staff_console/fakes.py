"""Fakes of the services the console calls (knowledge_base, calendly, twilio_handler, messaging), as
`responses` answers on the in-process address, so the console's pages are tested alone."""

from __future__ import annotations

import json
import re

import responses

from shared.service_client import IN_PROCESS_BASE_URL

CLINICS = {
    "riverside": {"id": 1, "slug": "riverside", "name": "Riverside Family Clinic", "timezone": "America/New_York",
                  "country": "US"},
    "harbor-dental": {"id": 2, "slug": "harbor-dental", "name": "Harbor Dental", "timezone": "America/Los_Angeles",
                      "country": "US"},
}
DOCTORS = {1: [{"id": 11, "clinic_id": 1, "name": "Dr. Ada Patel", "department": "Family medicine", "active": True,
                "weekly_hours": [{"day": "mon", "start": "09:00", "end": "17:00"}], "exceptions": []}],
           2: [{"id": 21, "clinic_id": 2, "name": "Dr. Sam Lee", "department": "Dentistry", "active": True,
                "weekly_hours": [], "exceptions": []}]}
APPOINTMENTS = {1: [{"id": 501, "clinic_id": 1, "doctor_id": 11, "doctor": "Dr. Ada Patel",
                     "start": "2026-12-07T15:00:00+00:00", "end": "2026-12-07T15:30:00+00:00", "status": "booked",
                     "source": "phone", "version": 1, "patient_name": "Jordan Smith", "phone_last2": "23"}],
                2: [{"id": 601, "clinic_id": 2, "doctor_id": 21, "doctor": "Dr. Sam Lee",
                     "start": "2026-12-07T18:00:00+00:00", "end": "2026-12-07T18:30:00+00:00", "status": "booked",
                     "source": "phone", "version": 1, "patient_name": "Alex Kim", "phone_last2": "45"}]}
DOCUMENTS = {7: {"id": 7, "clinic_id": 1, "filename": "riverside.pdf", "status": "pending_review", "preview": {}},
             8: {"id": 8, "clinic_id": 2, "filename": "harbor.pdf", "status": "pending_review", "preview": {}}}


def _url(path: str) -> re.Pattern:
    return re.compile(re.escape(IN_PROCESS_BASE_URL + path) + r"(\?.*)?$")


def install(mock: responses.RequestsMock) -> None:
    """Answer every read the console's pages make, per clinic."""
    for slug, clinic in CLINICS.items():
        mock.get(_url(f"/kb/clinics/{slug}"), json=clinic)
        mock.get(_url(f"/kb/clinics/{slug}/doctors"), json=DOCTORS[clinic["id"]])
        mock.get(_url(f"/kb/clinics/{slug}/documents"), json=[])
        mock.get(_url(f"/kb/clinics/{slug}/schedule/versions"), json=[])
        mock.get(_url(f"/kb/clinics/{slug}/stranded-appointments"), json={"appointments": []})
    for document_id, document in DOCUMENTS.items():
        mock.get(_url(f"/kb/documents/{document_id}"), json=document)
        mock.post(_url(f"/kb/documents/{document_id}/apply"), json={"version": 2})
    mock.add_callback(responses.GET, _url("/calendly/clinic-appointments"), callback=_appointments)
    mock.get(_url("/calendly/availability"), json={"slots": [{"start": "2026-12-07T16:00:00+00:00",
                                                             "end": "2026-12-07T16:30:00+00:00"}]})
    mock.get(_url("/twilio/calls"), json={"calls": []})
    mock.get(_url("/twilio/calls/summary"), json={"days": []})
    mock.get(_url("/twilio/callbacks"), json={"callbacks": []})
    mock.get(_url("/messaging/sms/clinic"), json=[])
    mock.get(_url("/calendly/conflicts"), json=[])


def _appointments(request):
    clinic_id = int(re.search(r"clinic_id=(\d+)", request.url).group(1))
    return 200, {"Content-Type": "application/json"}, json.dumps(APPOINTMENTS.get(clinic_id, []))
