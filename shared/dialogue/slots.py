"""The one slot chooser, shared by booking, rescheduling and availability: checking a time the caller
named (with a precise reason when it cannot be had), offering free times by number, and reading which
one the caller took by key ("2"), by words ("the second one", "the 9:30", "the earliest"), or asking
for later times (9) or another time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.call_session import Slot
from shared.dialogue.engine import NOT_UNDERSTOOD, Accepts, Conversation, Input, Outcome, Reply, Step, ask, keys_list
from shared.dialogue.handover import no_free_slots
from shared.dialogue.ports import Doctor, Reading, TimeCheck
from shared.spoken_time import spoken_clock, spoken_day

OFFERED = 3
LATER_KEY, MENU_KEY = "9", "0"
# How each kind of offer is introduced; availability's offers also lead back to the menu with 0.
OFFER_PROMPTS = {"nearest": "slots.nearest", "earliest": "slots.earliest", "later": "slots.later",
                 "of_doctor": "slots.of_doctor", "of_anyone": "slots.of_anyone"}
SLOT_HINTS = ("one", "two", "three", "the first one", "the second one", "the third one", "the earliest",
              "later", "another time")


def requested_doctors(conversation: Conversation) -> list[Doctor]:
    """The doctor asked for, or the group to pick the earliest from (the whole clinic when empty)."""
    request = conversation.request
    doctors = conversation.doctors()
    if request.doctor_id is not None:
        return [doctor for doctor in doctors if doctor.id == request.doctor_id]
    return [doctor for doctor in doctors if not request.group or doctor.id in request.group]


def who(conversation: Conversation) -> str:
    """The doctor or doctors being asked about, as a sentence subject."""
    request = conversation.request
    if request.doctor_name:
        return request.doctor_name
    return f"our {request.department} doctors" if request.department else "none of our doctors"


def options_text(conversation: Conversation, slots: list[Slot]) -> str:
    """"on Tuesday, December 1st at: 1, 9 AM; 2, 9:30 AM; or 3, 10 AM", naming doctors when they differ."""
    zone = ZoneInfo(conversation.clinic.timezone)
    now = conversation.now()
    days = {slot.start.astimezone(zone).date() for slot in slots}
    # Name the doctor when the times are not all one chosen doctor's (whoever is free, a department).
    several_doctors = len({slot.doctor_id for slot in slots}) > 1 or conversation.request.doctor_id is None
    parts = []
    for index, slot in enumerate(slots, start=1):
        moment = spoken_clock(slot.start.astimezone(zone)) if len(days) == 1 else conversation.when(slot.start)
        doctor = f"{slot.doctor_name}, " if several_doctors else ""
        parts.append(f"{'or ' if index == len(slots) > 1 else ''}{index}, {doctor}{moment}")
    listed = "; ".join(parts)
    if len(days) == 1:
        day = spoken_day(slots[0].start, conversation.clinic.timezone, now)
        return f"{day if day in ('today', 'tomorrow') else 'on ' + day} at: {listed}"
    return listed


def offer(conversation: Conversation, slots: list[Slot], kind: str) -> Reply:
    """Offer free slots by number and wait for the choice."""
    conversation.session.offered = slots[:OFFERED]
    conversation.session.offer_kind = kind
    return ask(conversation, CHOOSE_SLOT)


def _offer_question(conversation: Conversation) -> list:
    session = conversation.session
    key = OFFER_PROMPTS.get(session.offer_kind or "nearest", "slots.nearest")
    return [conversation.text(key, options=options_text(conversation, session.offered),
                              keys=keys_list(len(session.offered)), doctor=who(conversation))]


def refusal(conversation: Conversation, check: TimeCheck, doctor: Doctor) -> None:
    """Say precisely why the time asked for cannot be had."""
    problem = check.problem or "taken"
    fields = {"doctor": doctor.name, "days": check.horizon_days or 60,
              "minutes": conversation.clinic.slot_minutes}
    conversation.say(f"time.{problem}", **fields)


def check_wanted(conversation: Conversation) -> Reply | None:
    """Settle a time the caller named: take it when free, else say why and offer the nearest ones."""
    request = conversation.request
    doctors = requested_doctors(conversation)
    wanted = request.wanted
    if wanted is None or not doctors:
        return None
    checks = [(doctor, conversation.ports.availability.check(doctor=doctor, start=wanted, limit=OFFERED))
              for doctor in doctors]
    free = next((doctor for doctor, check in checks if check.free), None)
    if free is not None:
        request.take_slot(Slot(doctor_id=free.id, doctor_name=free.name, start=wanted))
        return None
    request.wanted = None
    nearest = sorted((slot for _, check in checks for slot in check.nearest),
                     key=lambda slot: (abs(slot.start - wanted), slot.start))[:OFFERED]
    if not nearest:
        return no_free_slots(conversation, who(conversation), checks[0][1].horizon_days)
    if len(checks) == 1:
        refusal(conversation, checks[0][1], checks[0][0])
    else:
        conversation.say("time.taken", doctor=who(conversation))
    return offer(conversation, sorted(nearest, key=lambda slot: slot.start), "nearest")


def day_start(conversation: Conversation, day: date) -> datetime:
    """The first instant of a local date at the clinic."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(conversation.clinic.timezone))


def offer_earliest(conversation: Conversation, kind: str = "earliest", after: datetime | None = None) -> Reply:
    """The earliest free slots of the doctor (or group), from a moment on; none at all: staff or callback."""
    found = conversation.ports.availability.earliest(doctors=requested_doctors(conversation), limit=OFFERED,
                                                     after=after)
    if not found.slots:
        return no_free_slots(conversation, who(conversation), found.horizon_days)
    return offer(conversation, found.slots, kind)


def check_wanted_day(conversation: Conversation) -> Reply | None:
    """A day without a time: the free times of that day (or the next days when it has none)."""
    request = conversation.request
    day = request.wanted_day
    if day is None:
        return None
    request.wanted_day = None
    found = conversation.ports.availability.earliest(doctors=requested_doctors(conversation), limit=OFFERED,
                                                     after=day_start(conversation, day))
    if not found.slots:
        return no_free_slots(conversation, who(conversation), found.horizon_days)
    zone = ZoneInfo(conversation.clinic.timezone)
    if found.slots[0].start.astimezone(zone).date() != day:
        conversation.say("time.day_off", doctor=who(conversation))
    return offer(conversation, found.slots, "nearest")


def settle_time(conversation: Conversation) -> Reply | None:
    """Once a doctor (or group) is known: check a named time or day, or offer the earliest when asked."""
    request, session = conversation.request, conversation.session
    if session.offered or request.start is not None or not request.has_doctor:
        return None
    if request.wanted is not None:
        return check_wanted(conversation)
    if request.wanted_day is not None:
        return check_wanted_day(conversation)
    if request.earliest or (request.any_doctor and session.flow == "book"):
        return offer_earliest(conversation)
    return None


def _matching_slot(conversation: Conversation, reading: Reading) -> Slot | None:
    """The offered slot the caller named by its time ("the 9:30", "Tuesday at 10")."""
    if reading.when is None or not reading.time_given:
        return None
    zone = ZoneInfo(conversation.clinic.timezone)
    named = reading.when.astimezone(zone)
    for slot in conversation.session.offered:
        local = slot.start.astimezone(zone)
        if (local.hour, local.minute) == (named.hour, named.minute) and (
                not reading.date_given or local.date() == named.date()):
            return slot
    return None


def _later(conversation: Conversation) -> Reply:
    session = conversation.session
    last = max(slot.start for slot in session.offered)
    kind = session.offer_kind or "nearest"
    found = conversation.ports.availability.earliest(doctors=requested_doctors(conversation), limit=OFFERED,
                                                     after=last + timedelta(seconds=1))
    if not found.slots:
        conversation.say("slots.no_later")
        return ask(conversation, CHOOSE_SLOT)
    return offer(conversation, found.slots, "later" if kind not in ("of_doctor", "of_anyone") else kind)


def _picked(conversation: Conversation, given: Input, reading: Reading | None) -> Slot | None:
    offered = conversation.session.offered
    number = int(given.key) if given.key.isdigit() else reading.choice if reading else None
    if number == -1:
        number = len(offered)
    if number is not None and 1 <= number <= len(offered):
        return offered[number - 1]
    return _matching_slot(conversation, reading) if reading and not given.digits else None


def _read_choice(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    session, request = conversation.session, conversation.request
    if given.key == MENU_KEY and session.flow == "availability":
        session.offered, session.flow = [], "menu"
        return None
    if given.key == LATER_KEY or (reading is not None and reading.later and reading.choice is None):
        return _later(conversation)
    slot = _picked(conversation, given, reading)
    if slot is not None:
        session.offered = []
        request.take_slot(slot)
        return None
    if reading is not None and (reading.other_time or reading.when is not None):
        session.offered = []
        request.forget_time()
        return None
    return NOT_UNDERSTOOD


CHOOSE_SLOT = Step(
    name="choose_slot", route="/choose-slot", accepts=Accepts.BOTH, expects="choice",
    question=_offer_question,
    retry=lambda c: [c.text("slots.retry", keys=keys_list(len(c.session.offered)))],
    read=_read_choice, hints=lambda c: SLOT_HINTS, handover_reason="time",
)
