"""One turn of a phone call, shared by the Twilio-facing services: the call's session, its clinic,
the caller's input, and the reply being built (prompts, gathers, retries, transfer, goodbye)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask import Response, g, request
from twilio.twiml.voice_response import VoiceResponse

from shared.cache import TTLCache
from shared.freshness import FreshCache
from shared.service_client import ServiceClient
from shared.sessions import CallSessionStore
from shared.twiml import Prompter, gather, main_menu, transfer_to_staff, twiml

log = logging.getLogger(__name__)

MAX_FAILURES = 3
MAX_SPEECH_CHARS = 500
PROMPT_ANSWER_MAX_SECONDS = 300  # tts says how long each answer may be reused; never longer than this


class CallSessionMissing(Exception):
    """A Twilio request arrived for a call this system has no session for."""


class UnknownClinicNumber(Exception):
    """The dialled number belongs to no clinic."""


class ClinicDirectory:
    """Clinic configuration from knowledge_base by dialled number, cached for CLINIC_CACHE_TTL_SECONDS
    and reloaded as soon as the clinic's schedule changes (shared/freshness.py)."""

    def __init__(self, client: ServiceClient, ttl_seconds: float):
        self.client = client
        self.cache = FreshCache(client, ttl_seconds, lambda _, clinic: clinic["slug"] if clinic else None)

    def by_number(self, number: str) -> dict[str, Any] | None:
        """The clinic a number rings, or None."""
        if not number:
            return None

        def load() -> dict[str, Any] | None:
            found = self.client.get("knowledge_base", "/kb/clinics", number=number)
            return found[0] if found else None

        return self.cache.get_or_load(("number", number), load)


@dataclass
class CallDependencies:
    """What every Twilio-facing service needs: settings, sessions, other services, clinics, and the
    tts answers it may reuse."""

    settings: Any
    sessions: CallSessionStore
    client: ServiceClient
    clinics: ClinicDirectory
    extras: dict[str, Any] = field(default_factory=dict)
    prompt_answers: TTLCache = field(default_factory=lambda: TTLCache(PROMPT_ANSWER_MAX_SECONDS))


class Turn:
    """One request of a call: read the input, change the session, build and return the TwiML."""

    def __init__(self, deps: CallDependencies, session: dict[str, Any]):
        self.deps = deps
        self.session = session
        self.call_sid: str = session["call_sid"]
        self.clinic: dict[str, Any] = session["clinic"]
        self.prompter = Prompter(deps.client, self.clinic["slug"], deps.settings.say_voice, deps.prompt_answers)
        self.response = VoiceResponse()

    @classmethod
    def begin(cls, deps: CallDependencies) -> "Turn":
        """Load the call's session; knowing the clinic first lets any later failure offer staff."""
        call_sid = request.form.get("CallSid", "")
        g.call_sid = call_sid or None
        clinic = deps.clinics.by_number(request.form.get("To", ""))
        if clinic is None:
            raise UnknownClinicNumber()
        g.staff_number = clinic["staff_number"]
        session = deps.sessions.load(call_sid) if call_sid else None
        if session is None:
            raise CallSessionMissing(call_sid)
        return cls(deps, session)

    @property
    def digits(self) -> str:
        """Keys the caller pressed (without the finishing #)."""
        return request.form.get("Digits", "").strip().rstrip("#")

    @property
    def speech(self) -> str:
        """What the caller said, as Twilio transcribed it, bounded in length."""
        return " ".join(request.form.get("SpeechResult", "").split())[:MAX_SPEECH_CHARS]

    @property
    def caller(self) -> str:
        """The caller ID Twilio reported."""
        return self.session.get("caller") or ""

    def record_step(self, step: str) -> None:
        """Append a step to the call's history (kept in the session, stored on the call at the end)."""
        steps = self.session.setdefault("steps", [])
        if not steps or steps[-1] != step:
            steps.append(step)

    def save(self) -> None:
        """Persist the session."""
        self.deps.sessions.save(self.call_sid, self.session)

    def say(self, text: str, *, patient_data: bool = False) -> None:
        """Add a prompt outside any gather."""
        self.prompter.speak(self.response, text, patient_data=patient_data)

    def ask(
        self,
        action: str,
        text: str,
        *,
        input_kinds: str = "dtmf speech",
        num_digits: int | None = None,
        finish_on_key: str | None = None,
        hints: Iterable[str] = (),
        patient_data: bool = False,
    ) -> Response:
        """Ask a question and post the answer to `action`; saves the session."""
        question = gather(action, input_kinds=input_kinds, num_digits=num_digits, finish_on_key=finish_on_key, hints=hints)
        self.prompter.speak(question, text, patient_data=patient_data)
        self.response.append(question)
        self.save()
        return twiml(self.response)

    def redirect(self, path: str) -> Response:
        """Continue the call at another route; saves the session."""
        self.response.redirect(path, method="POST")
        self.save()
        return twiml(self.response)

    def count_failure(self, step: str) -> int:
        """Count one more failed answer at a step; returns the count."""
        failures = self.session.setdefault("failures", {})
        failures[step] = failures.get(step, 0) + 1
        return failures[step]

    def clear_failures(self, step: str) -> None:
        """Forget a step's failures once it has been answered."""
        self.session.setdefault("failures", {}).pop(step, None)

    def ask_again_or_transfer(
        self, step: str, ask_again: Callable[[], Response], apology: str | None = None
    ) -> Response:
        """After an answer that did not work: ask again, or put the caller through after the third time."""
        if self.count_failure(step) >= MAX_FAILURES:
            if apology:
                self.say(apology)
            return self.transfer()
        return ask_again()

    def retry_or_transfer(self, step: str, action: str, text: str, **ask_options: Any) -> Response:
        """Ask a question again after a failed answer; after the third failure put the caller through."""
        return self.ask_again_or_transfer(step, lambda: self.ask(action, text, **ask_options),
                                          "I'm sorry, I'm having trouble understanding.")

    def transfer(self) -> Response:
        """Put the caller through to the clinic's staff."""
        self.session["outcome"] = self.session.get("outcome") or "transferred"
        self.record_step("transfer")
        transfer_to_staff(self.response, self.clinic["staff_number"], self.deps.settings.say_voice)
        self.save()
        return twiml(self.response)

    def goodbye(self, text: str, *, outcome: str | None = None, patient_data: bool = False) -> Response:
        """Say a last sentence and hang up."""
        if outcome:
            self.session["outcome"] = outcome
        self.say(text, patient_data=patient_data)
        self.response.hangup()
        self.save()
        return twiml(self.response)

    def menu(self, intro: str | None = None) -> Response:
        """Offer the main menu again."""
        self.record_step("menu")
        self.response = main_menu(self.prompter, intro)
        self.save()
        return twiml(self.response)
