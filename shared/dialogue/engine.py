"""The parts every flow is built from: a caller's input, a step (one question with its route, what it
accepts and how its answer is read), a flow (a table of steps asked in a fixed order while needed),
and the reply a turn produces. Nothing here knows Flask or HTTP.

A reader returns None when the answer filled what the step asked (the flow moves on), a `Retry` when
it did not (the step is asked again, the third time the caller is handed to staff), or a finished
`Reply` (a transfer, a goodbye).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.call_session import CallRequest, CallSession, ClinicInfo
from shared.dialogue.ports import Doctor, Ports, Reading
from shared.prompts import Spoken
from shared.spoken_time import spoken_datetime

MAX_FAILURES = 3
_KEYS = re.compile(r"[0-9*#]+")


class Accepts(StrEnum):
    """What a question takes: keys, speech, or either (Twilio's `input`)."""

    KEYS = "dtmf"
    SPEECH = "speech"
    BOTH = "dtmf speech"


@dataclass(frozen=True)
class Input:
    """What the caller did at one question: keys pressed (without the finishing #) and words said."""

    digits: str = ""
    speech: str = ""

    @classmethod
    def of(cls, digits: str = "", speech: str = "") -> Input:
        """Keys as Twilio sends them (anything but 0-9 * # is not a key) and speech with spaces folded."""
        digits = digits.strip().rstrip("#")
        return cls(digits if _KEYS.fullmatch(digits) else "", " ".join(speech.split()))

    @property
    def key(self) -> str:
        """The first key pressed, or ""."""
        return self.digits[:1]


@dataclass
class Question:
    """A question waiting for the caller's answer at `action`."""

    step: str
    action: str
    accepts: Accepts
    prompts: list[Spoken]
    hints: tuple[str, ...] = ()
    num_digits: int | None = None
    finish_on_key: str | None = None


@dataclass(frozen=True)
class Transfer:
    """Put the caller through to staff, who first hear why (a whisper reason, never patient data)."""

    number: str
    reason: str


@dataclass
class Reply:
    """What one turn says and does: sentences, then a question, a transfer or a hang-up."""

    spoken: list[Spoken] = field(default_factory=list)
    question: Question | None = None
    transfer: Transfer | None = None
    hang_up: bool = False
    # Sentences the next turn will probably say: the voice can prepare them while the caller listens.
    prefetch: list[Spoken] = field(default_factory=list)


@dataclass(frozen=True)
class Retry:
    """The answer did not work: ask again, saying first why (a prompt key and its fields)."""

    key: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


NOT_UNDERSTOOD = Retry()
Outcome = Reply | Retry | None


@dataclass
class Conversation:
    """One turn of one call: the session being changed, the ports, and what has been said so far."""

    session: CallSession
    ports: Ports
    spoken: list[Spoken] = field(default_factory=list)

    @property
    def request(self) -> CallRequest:
        """What the caller asked for so far."""
        return self.session.request

    @property
    def clinic(self) -> ClinicInfo:
        """The call's clinic."""
        return self.session.clinic

    def now(self) -> datetime:
        """The current instant, from the clock port."""
        return self.ports.clock.now()

    def text(self, key: str, **fields: Any) -> Spoken:
        """A catalogue prompt in the caller's language."""
        return self.ports.prompts.render(key, self.session.language, **fields)

    def say(self, key: str, **fields: Any) -> None:
        """Say a catalogue prompt before whatever comes next."""
        self.spoken.append(self.text(key, **fields))

    def when(self, moment: datetime) -> str:
        """A moment as the caller hears it: "tomorrow at 10 AM", in the clinic's timezone."""
        return spoken_datetime(moment, self.clinic.timezone, self.now())

    def doctors(self) -> list[Doctor]:
        """The clinic's doctors, in keypad order."""
        return self.ports.doctors.doctors(self.clinic)

    def doctor(self, doctor_id: int | None) -> Doctor | None:
        """One of the clinic's doctors by id."""
        return next((doctor for doctor in self.doctors() if doctor.id == doctor_id), None)

    def reply(self, **parts: Any) -> Reply:
        """The reply carrying everything said so far."""
        return Reply(spoken=list(self.spoken), **parts)

    def goodbye(self, key: str, outcome: Any = None, reason: str | None = None, **fields: Any) -> Reply:
        """Say a last sentence, set the outcome, hang up."""
        if outcome:
            self.session.end(outcome, reason)
        self.say(key, **fields)
        return self.reply(hang_up=True)


def no_hints(_: Conversation) -> tuple[str, ...]:
    """A question without speech hints."""
    return ()


@dataclass(frozen=True)
class Step:
    """One question: its name, the route its answer comes to, what it asks, what it accepts, how the
    answer is read, and which staff whisper explains a hand-over after the third failed answer."""

    name: str
    route: str
    accepts: Accepts
    expects: str
    question: Callable[[Conversation], list[Spoken]]
    retry: Callable[[Conversation], list[Spoken]]
    read: Callable[[Conversation, Input, Reading | None], Outcome]
    hints: Callable[[Conversation], Sequence[str]] = no_hints
    num_digits: int | None = 1
    finish_on_key: str | None = None
    handover_reason: str = "other"
    prefetch: Callable[[Conversation], list[Spoken]] | None = None
    # Steps whose own answers include "staff" read that request themselves (with their own reason).
    reads_staff_requests: bool = False


@dataclass(frozen=True)
class Row:
    """A step of a flow and when it is needed: the first needed row is the next question."""

    step: Step
    needed: Callable[[CallSession], bool]


Settle = Callable[[Conversation], Reply | None]


@dataclass(frozen=True)
class Flow:
    """A table of rows asked in order while needed. `settle` rules run first (checking a time the caller
    named, looking up appointments) and may answer the turn themselves; `finish` runs when no row is
    needed any more (None from `finish`: it changed the request, look at the table again)."""

    name: str
    rows: tuple[Row, ...]
    finish: Callable[[Conversation], Reply | None]
    settle: tuple[Settle, ...] = ()

    @property
    def steps(self) -> tuple[Step, ...]:
        """The flow's steps, in table order."""
        return tuple(row.step for row in self.rows)


def ask(conversation: Conversation, step: Step, *, again: bool = False, prompts: list[Spoken] | None = None) -> Reply:
    """Put a step's question (its shorter retry, or other words) after what has been said."""
    if prompts is None:
        prompts = step.retry(conversation) if again else step.question(conversation)
    hints = tuple(step.hints(conversation)) if step.accepts is not Accepts.KEYS else ()
    question = Question(step.name, step.route, step.accepts, prompts, hints, step.num_digits, step.finish_on_key)
    prefetch = step.prefetch(conversation) if step.prefetch else []
    return conversation.reply(question=question, prefetch=prefetch)


def keys_list(count: int) -> str:
    """"1, 2 or 3" for three options, "1" for one."""
    numbers = [str(index) for index in range(1, count + 1)]
    return numbers[0] if count == 1 else f"{', '.join(numbers[:-1])} or {numbers[-1]}"


def last_four(number: str) -> str:
    """The last four digits of a number, spaced to be read one by one."""
    return " ".join(number[-4:])


def yes_or_no(given: Input, reading: Reading | None) -> bool | None:
    """1 / yes-words -> True, 2 / no-words -> False, anything else -> None."""
    if given.key in ("1", "2"):
        return given.key == "1"
    return reading.yes_no if reading else None
