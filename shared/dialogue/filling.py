"""Filling the request from what the caller said, whichever question they were answering: a doctor
(by name, specialty or "whoever is free"), a time (keeping the part of an earlier time they did not
repeat, so "no, Thursday" moves only the day), a name. The steps use these for their own slot; the
runner uses them for everything else an utterance named ("Say it all at once").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.dialogue.engine import Conversation
from shared.dialogue.ports import Reading

CONFIRM_DOCTOR_BELOW = 0.8  # a spoken doctor match below this is read back for a yes first
FLOWS_WITH_DOCTOR = ("book", "availability")
FLOWS_WITH_TIME = ("book", "availability", "reschedule")


def doctor_from_reading(conversation: Conversation, reading: Reading, *, expected: bool) -> bool:
    """Choose a doctor, a department or anyone from the words; True when something was chosen.

    A doctor named with little confidence is kept unconfirmed (the flow asks "Did you mean ...?");
    when the question was not about the doctor, only a confident match counts.
    """
    request = conversation.request
    doctors = conversation.doctors()
    named = next((doctor for doctor in doctors if doctor.id == reading.doctor_id), None)
    if named is None and expected and reading.choice is not None and 1 <= reading.choice <= len(doctors):
        named, reading.doctor_confidence = doctors[reading.choice - 1], 1.0
    if named is not None:
        if not expected and reading.doctor_confidence < CONFIRM_DOCTOR_BELOW:
            return False
        request.choose_doctor(named.id, named.name)
        request.doctor_unconfirmed = reading.doctor_confidence < CONFIRM_DOCTOR_BELOW
        return True
    if reading.department and reading.department_doctor_ids:
        group = [doctor for doctor in doctors if doctor.id in reading.department_doctor_ids]
        if len(group) == 1:
            request.choose_doctor(group[0].id, group[0].name)
            conversation.say("doctor.of_department", doctor=group[0].name, department=reading.department)
        else:
            request.choose_group([doctor.id for doctor in group], reading.department)
        return True
    if reading.any_doctor:
        request.choose_group([doctor.id for doctor in doctors], None)
        return True
    return False


def take_time(conversation: Conversation, reading: Reading, previous: datetime | None = None) -> bool:
    """Put the time the caller named into the request (a bare day becomes `wanted_day`); parts the
    caller did not say come from `previous`. True when a time or day was taken."""
    if reading.when is None:
        return False
    request = conversation.request
    zone = ZoneInfo(conversation.clinic.timezone)
    named = reading.when.astimezone(zone)
    before = previous.astimezone(zone) if previous else None
    if reading.date_given and not reading.time_given:
        if before is None:
            request.forget_time()
            request.wanted_day = named.date()
            return True
        named = datetime.combine(named.date(), before.time(), tzinfo=zone)
    elif reading.time_given and not reading.date_given and before is not None:
        named = datetime.combine(before.date(), named.time(), tzinfo=zone)
    request.forget_time()
    request.wanted = named
    return True


def fill_extras(conversation: Conversation, reading: Reading) -> None:
    """Everything else the utterance named, where the flow has a place for it and it is still empty."""
    flow, request = conversation.session.flow, conversation.request
    if flow in FLOWS_WITH_DOCTOR and not request.has_doctor:
        doctor_from_reading(conversation, reading, expected=False)
    no_time_yet = request.start is None and request.wanted is None and request.wanted_day is None
    if flow in FLOWS_WITH_TIME and no_time_yet and not conversation.session.offered:
        take_time(conversation, reading)
    if flow in FLOWS_WITH_TIME and no_time_yet and reading.earliest and not reading.any_doctor:
        request.earliest = True
    if flow == "book" and not request.name and reading.name:
        request.name = reading.name
