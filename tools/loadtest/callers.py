"""What a simulated caller says: given the kind of call and what the receptionist just asked, the
answer a person would give. Shared by the Locust scenario and the fault tests, on top of
tools.phone.PhoneCall (which signs requests and follows the TwiML).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from tools.phone import CallFailed, PhoneCall, Reply

CALL_MIX: dict[str, int] = {"book": 60, "cancel": 15, "reschedule": 10, "availability": 10, "staff": 5}
MENU_KEYS = {"book": "1", "cancel": "2", "reschedule": "3", "availability": "4", "staff": "5"}
CLINIC_NUMBERS = ("+16175550100", "+14155550100")
APOLOGY_MARK = "something went wrong"
MAX_TURNS = 30
GIVE_UP_AFTER = 3  # times a person hears "no free times" before hanging up
WORDS_PER_SECOND = 2.5  # about 150 words a minute, the pace of Twilio's <Say> voices
AUDIO_PROMPT_SECONDS = 4.0  # a <Play>ed prompt whose words the load generator cannot count
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "June", "Kofi", "Lea")
LAST_NAMES = ("Smith", "Garcia", "Nguyen", "Okafor", "Rossi", "Kim", "Ivanova", "Dubois", "Cohen", "Silva")
STREETS = ("Main Street", "Oak Avenue", "Harbor Road", "Elm Street", "Pine Lane", "Maple Drive")
_DOCTOR_KEYS = re.compile(r"\b(\d)(?: for|,) Dr\.")
_KEYS = re.compile(r"[Pp]ress ((?:\d, )*\d(?: or \d)?)")


@dataclass
class CallResult:
    """How one call went."""

    kind: str
    # booked, cancelled, rescheduled, transferred, hung_up, rate_limited, gave_up, ended, apology, stuck, failed
    outcome: str
    turns: int
    detail: str = ""
    heard: list[str] = field(default_factory=list)

    @property
    def answers(self) -> int:
        """Caller turns: answers given after dialling in."""
        return max(self.turns - 1, 0)

    @property
    def words(self) -> int:
        """Words the receptionist said in the call (a played recording counts as none)."""
        return sum(len(text.split()) for text in self.heard)

    @property
    def offered_times(self) -> bool:
        """The receptionist offered free times (the time first named was not free, or none was named)."""
        return any("free times" in text for text in self.heard)

    @property
    def failed(self) -> bool:
        """A call the system let down: an HTTP/TwiML failure, an apology, or a conversation going nowhere."""
        return self.outcome in ("failed", "apology", "stuck")


def spoken_time(rng: random.Random, today: date | None = None) -> str:
    """A weekday 2 to 55 days ahead (inside the clinics' 60-day horizon) at a round hour during clinic
    hours, said like a person would; a wide spread keeps a long run from using up every slot."""
    day = (today or date.today()) + timedelta(days=rng.randint(2, 55))
    while day.weekday() > 4:
        day += timedelta(days=1)
    hour = rng.randint(9, 16)
    minutes = rng.choice((0, 0, 30))
    clock = f"{hour % 12 or 12}{':30' if minutes else ''} {'am' if hour < 12 else 'pm'}"
    return f"{day:%B} {day.day} at {clock}"


def _offered_keys(text: str) -> list[str]:
    """The option keys of "Press 1, 2 or 3, or 9 for later times" (9 and 0 are not options)."""
    found = _KEYS.search(text)
    return [key for key in re.findall(r"\d", found.group(1)) if key not in "90"] if found else []


def answer(kind: str, reply: Reply, rng: random.Random) -> tuple[str | None, str | None]:
    """(digits, speech) for the pending gather: keys where a key can answer, words for the time (as most
    callers do), the name and the address."""
    action = urlsplit(reply.gather["action"]).path if reply.gather else ""
    if action == "/process-selection":
        return MENU_KEYS[kind], None
    if action == "/capture-doctor-name":
        keys = _DOCTOR_KEYS.findall(reply.text)
        return (rng.choice(keys) if keys else "1"), None
    if action == "/capture-appointment-time":
        return None, spoken_time(rng)
    if action == "/choose-slot":
        offered = _offered_keys(reply.text)
        return (rng.choice(offered) if offered else "1"), None
    if action == "/capture-user-name":
        return None, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if action == "/capture-user-address":
        return None, f"{rng.randint(1, 999)} {rng.choice(STREETS)} Boston"
    if action in ("/capture-phone-number", "/capture-callback-number"):
        return f"617555{rng.randint(0, 9999):04d}", None
    if action == "/capture-booking-phone":
        return "0", None  # nothing booked under this caller ID, and no other number: ask for staff
    if action == "/no-slots-choice":
        return "2", None
    if action == "/choose-appointment":
        return "1", None
    return "1", None  # the read-backs and confirmations: 1 is yes


def classify(reply: Reply) -> str:
    """The outcome of a call from its last reply."""
    if APOLOGY_MARK in reply.text.lower():
        return "apology"
    text = reply.text.lower()
    if "you're booked" in text:
        return "booked"
    if "is cancelled" in text:
        return "cancelled"
    if "is now" in text and "appointment" in text:
        return "rescheduled"
    if "several calls from your number" in text or "unusually high number of calls" in text:
        return "rate_limited"
    if reply.dialled:
        return "transferred"
    if reply.hung_up:
        return "hung_up"
    return "ended"


def listening_seconds(reply: Reply) -> float:
    """How long the prompts of one reply take to say aloud."""
    seconds = 0.0
    for prompt in reply.prompts:
        if prompt.startswith("[audio"):
            seconds += AUDIO_PROMPT_SECONDS
        else:
            seconds += len(prompt.split()) / WORDS_PER_SECOND
    return seconds


@dataclass(frozen=True)
class ThinkTime:
    """How long a caller takes before answering one reply.

    `prompt` mode is a person on the phone: they hear the prompt (all of a question; at least half of a
    keypad menu, often pressing as soon as their option is read out) and then take `answer` seconds to
    reply. `uniform` mode ignores the prompt and waits between `answer` bounds (capacity runs: 0,0).
    """

    mode: str = "prompt"
    answer: tuple[float, float] = (1.0, 3.0)

    @classmethod
    def parse(cls, text: str) -> ThinkTime:
        """From `prompt` (hear the prompt, then answer in 1-3 s), `prompt:MIN,MAX`, or `MIN,MAX` seconds flat."""
        mode, _, bounds = text.partition(":") if text.startswith("prompt") else ("uniform", "", text)
        if not bounds:
            return cls(mode)
        low, _, high = bounds.partition(",")
        return cls(mode, (float(low), float(high or low)))

    def seconds(self, reply: Reply, rng: random.Random) -> float:
        """The pause before answering `reply`."""
        answering = rng.uniform(*self.answer)
        if self.mode != "prompt":
            return answering
        listening = listening_seconds(reply)
        if reply.gather and "dtmf" in reply.gather.get("input", "dtmf") and "press" in reply.text.lower():
            listening *= rng.uniform(0.5, 1.0)  # barge-in: Twilio stops the prompt at the first key
        return listening + answering

    def describe(self) -> str:
        """For reports."""
        low, high = self.answer
        if self.mode == "prompt":
            return f"hearing the prompt at {WORDS_PER_SECOND * 60:.0f} words/min, then answering in {low:g}-{high:g} s"
        return f"{low:g}-{high:g} s flat per turn"


def place_call(call: PhoneCall, kind: str, rng: random.Random,
               think: Callable[[Reply], None] = lambda reply: None) -> CallResult:
    """Dial, answer every question as the call kind dictates (thinking before each answer), then hang up."""
    turns = 0
    heard: list[str] = []
    try:
        reply = call.start()
        turns += 1
        heard.append(reply.text)
        while not reply.ended:
            if turns >= MAX_TURNS:
                return CallResult(kind, "stuck", turns, f"still talking after {turns} turns; last heard: "
                                  + " | ".join(text[:120] for text in heard[-3:]), heard)
            if APOLOGY_MARK in reply.text.lower():
                break
            if sum("no free" in text.lower() for text in heard) >= GIVE_UP_AFTER:
                return CallResult(kind, "gave_up", turns, "heard 'no free ...' three times and hung up", heard)
            think(reply)
            digits, speech = answer(kind, reply, rng)
            reply = call.answer(digits=digits, speech=speech)
            turns += 1
            heard.append(reply.text)
        return CallResult(kind, classify(reply), turns, heard=heard)
    except CallFailed as error:
        return CallResult(kind, "failed", turns, str(error)[:300], heard)
    finally:
        try:
            call.hang_up()
        except Exception:  # noqa: BLE001 - the status callback must not hide the call's own result
            pass


def pick_kind(rng: random.Random, mix: dict[str, int] = CALL_MIX) -> str:
    """A call kind drawn from the mix."""
    return rng.choices(list(mix), weights=list(mix.values()))[0]
