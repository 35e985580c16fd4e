"""TwiML building blocks shared by the Twilio-facing services: responses, prompts, gathers, and the
safety net that turns any internal failure into an apology and a transfer to staff (or, once a call's
conversation is loaded and the clinic is closed, a callback request)."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable
from functools import wraps

from flask import Response, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from shared.cache import TTLCache
from shared.prompts import PROMPTS
from shared.service_client import ServiceCallError, ServiceClient

log = logging.getLogger(__name__)

MAX_HINTS = 500


def speakable(text: str) -> str:
    """Text safe to put in TwiML and say: control, private-use and unassigned characters (which XML
    cannot carry, or a caller's input may smuggle in) become spaces, and spaces are folded."""
    return " ".join("".join(char if unicodedata.category(char)[0] != "C" else " " for char in text).split())


def twiml(response: VoiceResponse) -> Response:
    """A Flask response carrying TwiML with the right content type."""
    return Response(str(response), status=200, mimetype="text/xml")


def transfer_to_staff(response: VoiceResponse, staff_number: str | None, say_voice: str) -> VoiceResponse:
    """Dial the clinic's staff, or apologise and hang up when no number is known."""
    if staff_number:
        response.say(PROMPTS.render("handover.connecting").text, voice=say_voice)
        response.dial(staff_number)
    else:
        response.say(PROMPTS.render("handover.no_staff_line").text, voice=say_voice)
        response.hangup()
    return response


def apology_response(staff_number: str | None, say_voice: str = "Polly.Joanna") -> VoiceResponse:
    """What the caller hears when something failed internally: an apology, then staff."""
    response = VoiceResponse()
    response.say(PROMPTS.render("apology").text, voice=say_voice)
    return transfer_to_staff(response, staff_number, say_voice)


def failure_response() -> Response:
    """TwiML for a failed Twilio webhook: an empty reply to an SMS; on a call, the conversation's own
    fallback when it has one (a callback request when closed), else an apology and staff."""
    if request.form.get("MessageSid") or request.form.get("SmsSid"):
        return Response(str(MessagingResponse()), status=200, mimetype="text/xml")
    fallback = g.pop("failure_reply", None)
    reply = fallback() if fallback is not None else None
    if reply is not None:
        return reply
    return twiml(apology_response(g.get("staff_number"), current_app.config["SETTINGS"].say_voice))


def twiml_safety_net(view: Callable) -> Callable:
    """Never let a Twilio-facing view fail the caller: log with the CallSid and answer with TwiML."""

    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the caller must always hear something
            log.exception("Twilio-facing request failed", extra={"path": request.path})
            return failure_response()

    return guarded


class Prompter:
    """Speaks prompts: `<Play>` of the clinic's voice when the tts service has audio, else `<Say>`.

    Answers tts marks reusable (`cache_seconds`: "this clinic has no voice", a static prompt's stored
    recording) are kept in `answers`, shared by the process, so most prompts cost no request at all.
    """

    def __init__(self, client: ServiceClient, clinic_slug: str, say_voice: str, answers: TTLCache | None = None):
        self.client = client
        self.clinic_slug = clinic_slug
        self.say_voice = say_voice
        self.answers = answers

    def audio_url(self, text: str, patient_data: bool, prefetch: bool = False) -> str | None:
        """The tts service's URL for this prompt, or None (then `<Say>` is used)."""
        voiceless_key = ("voiceless", self.clinic_slug, patient_data)
        audio_key = ("audio", self.clinic_slug, patient_data, text)
        if self.answers is not None:
            if self.answers.get(voiceless_key):
                return None
            known = self.answers.get(audio_key)
            if known:
                return known
        try:
            answer = self.client.post("tts", "/tts/speech", {
                "clinic": self.clinic_slug, "text": text, "patient_data": patient_data, "prefetch": prefetch,
            })
        except ServiceCallError as error:
            log.warning("tts unavailable, using <Say>: %s", error.status or error.message)
            return None
        if not isinstance(answer, dict):
            return None
        url = answer.get("url")
        reuse = answer.get("cache_seconds")
        if self.answers is not None and isinstance(reuse, (int, float)) and reuse > 0:
            self.answers.put(audio_key if url else voiceless_key, url or True, reuse)
        return url

    def prefetch(self, text: str) -> None:
        """Have the tts service start on a prompt this call is about to need; returns at once."""
        self.audio_url(text, patient_data=False, prefetch=True)

    def speak(self, node, text: str, *, patient_data: bool = False) -> None:
        """Add one prompt to a VoiceResponse or Gather."""
        text = speakable(text)
        url = self.audio_url(text, patient_data)
        if url:
            node.play(url)
        else:
            node.say(text, voice=self.say_voice)


def gather(
    action: str,
    *,
    input_kinds: str = "dtmf speech",
    num_digits: int | None = None,
    finish_on_key: str | None = None,
    hints: Iterable[str] = (),
    timeout: int = 6,
    language: str = "en-US",
) -> Gather:
    """A `<Gather>` that always posts to `action`, even on silence, so no-input is handled there."""
    options = {
        "input": input_kinds,
        "action": action,
        "method": "POST",
        "timeout": timeout,
        "action_on_empty_result": True,
    }
    if "speech" in input_kinds:
        options["speech_timeout"] = "auto"
        options["language"] = language
        phrases = [hint.replace(",", " ") for hint in dict.fromkeys(hints) if hint][:MAX_HINTS]
        if phrases:
            options["hints"] = ", ".join(phrases)
    if num_digits:
        options["num_digits"] = num_digits
    if finish_on_key is not None:
        options["finish_on_key"] = finish_on_key
    return Gather(**options)
