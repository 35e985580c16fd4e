"""A terminal phone that calls the system exactly as Twilio would: signed form POSTs with CallSid,
From, To, Digits and SpeechResult, following <Gather action> and <Redirect>, printing what the caller
hears. The tests drive calls through the same PhoneCall class.

    python -m tools.phone --url http://127.0.0.1:8080                    # interactive
    python -m tools.phone --url http://127.0.0.1:8080 --script "1|1|next Tuesday at 10am|Jane Doe|1|12 Main Street|1"
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

from twilio.request_validator import RequestValidator

from shared.settings import LOCAL_TWILIO_AUTH_TOKEN

Transport = Callable[[str, dict[str, str], dict[str, str]], tuple[int, str, str]]
MAX_REDIRECTS = 10


class CallFailed(Exception):
    """The system answered something Twilio could not play (not 200 TwiML)."""


@dataclass
class Reply:
    """What the caller heard and what the system waits for after one exchange."""

    prompts: list[str] = field(default_factory=list)
    gather: dict[str, str] | None = None
    dialled: str | None = None
    hung_up: bool = False
    documents: list[ET.Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything said, as one string."""
        return " ".join(self.prompts)

    @property
    def ended(self) -> bool:
        """True once the call was transferred or hung up, or nothing more is asked."""
        return self.hung_up or self.dialled is not None or self.gather is None


class PhoneCall:
    """One call, driven turn by turn."""

    def __init__(self, transport: Transport, base_url: str, *, to: str, caller: str,
                 auth_token: str = LOCAL_TWILIO_AUTH_TOKEN, call_sid: str | None = None):
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.to = to
        self.caller = caller
        self.validator = RequestValidator(auth_token)
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.pending_action: str | None = None
        self.last: Reply | None = None

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        return {"CallSid": self.call_sid, "AccountSid": "AC" + "0" * 32, "From": self.caller, "To": self.to,
                "CallStatus": "in-progress", "Direction": "inbound", "ApiVersion": "2010-04-01", **extra}

    def post(self, path_or_url: str, extra: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Sign and send one webhook request, as Twilio does."""
        url = urljoin(self.base_url + "/", path_or_url)
        params = self._params(extra or {})
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        return self.transport(url, params, headers)

    def start(self) -> Reply:
        """Dial in: POST /voice."""
        return self._exchange("/voice", {})

    def answer(self, digits: str | None = None, speech: str | None = None) -> Reply:
        """Answer the pending <Gather> with keys, words, or nothing (silence)."""
        if self.pending_action is None:
            raise CallFailed("nothing is waiting for an answer")
        extra: dict[str, str] = {}
        if digits is not None:
            extra["Digits"] = digits
        if speech is not None:
            extra["SpeechResult"] = speech
            extra["Confidence"] = "0.9"
        return self._exchange(self.pending_action, extra)

    def hang_up(self, status: str = "completed", duration: int = 60) -> int:
        """Twilio's status callback at the end of the call; returns the HTTP status."""
        status_code, _, _ = self.post("/call-status", {"CallStatus": status, "CallDuration": str(duration)})
        return status_code

    def _exchange(self, path: str, extra: dict[str, str]) -> Reply:
        reply = Reply()
        for _ in range(MAX_REDIRECTS):
            status, content_type, body = self.post(path, extra)
            if status != 200 or not content_type.startswith("text/xml"):
                raise CallFailed(f"{path} answered {status} {content_type}: {body[:200]}")
            document = ET.fromstring(body)
            reply.documents.append(document)
            redirect = self._play(document, reply)
            if redirect is None:
                break
            path, extra = redirect, {}
        self.pending_action = reply.gather["action"] if reply.gather else None
        self.last = reply
        return reply

    @staticmethod
    def _play(document: ET.Element, reply: Reply) -> str | None:
        """Collect what the caller hears; return a redirect target, if any."""
        if document.tag != "Response":
            raise CallFailed(f"not TwiML: root is <{document.tag}>")
        for verb in document:
            if verb.tag in ("Say", "Play"):
                reply.prompts.append(verb.text or "" if verb.tag == "Say" else f"[audio {verb.text}]")
            elif verb.tag == "Gather":
                for inner in verb:
                    reply.prompts.append(inner.text or "" if inner.tag == "Say" else f"[audio {inner.text}]")
                reply.gather = dict(verb.attrib)
                return None
            elif verb.tag == "Redirect":
                return verb.text
            elif verb.tag == "Dial":
                reply.dialled = (verb.text or "").strip() or "".join(child.text or "" for child in verb)
                return None
            elif verb.tag == "Hangup":
                reply.hung_up = True
                return None
        return None


def requests_transport() -> Transport:
    """Send webhook requests over HTTP."""
    import requests

    session = requests.Session()

    def send(url: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str, str]:
        response = session.post(url, data=params, headers=headers, timeout=20)
        return response.status_code, response.headers.get("Content-Type", ""), response.text

    return send


def _interactive_answer(reply: Reply) -> tuple[str | None, str | None]:
    kinds = reply.gather.get("input", "dtmf")
    hint = "keys" if kinds == "dtmf" else "words" if kinds == "speech" else "keys or words"
    entered = input(f"  you ({hint}, empty = silence, 'hangup' to end)> ").strip()
    if entered.lower() == "hangup":
        raise KeyboardInterrupt
    return _as_input(entered)


def _as_input(entered: str) -> tuple[str | None, str | None]:
    if not entered:
        return None, None
    if all(char.isdigit() or char in "*#" for char in entered):
        return entered, None
    return None, entered


def main(argv: list[str] | None = None) -> int:
    """Place one call from the terminal."""
    parser = argparse.ArgumentParser(description="Call the receptionist as Twilio would.")
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="where the system listens")
    parser.add_argument("--to", default="+16175550100", help="the clinic number dialled")
    parser.add_argument("--caller", default="+16175550123", help="your caller ID")
    parser.add_argument("--script", help="answers separated by |, instead of typing them")
    parser.add_argument("--token", default=os.environ.get("TWILIO_AUTH_TOKEN", LOCAL_TWILIO_AUTH_TOKEN))
    args = parser.parse_args(argv)
    call = PhoneCall(requests_transport(), args.url, to=args.to, caller=args.caller, auth_token=args.token)
    script = args.script.split("|") if args.script is not None else None
    host = urlparse(args.url).netloc
    print(f"Calling {args.to} at {host} from {args.caller} (CallSid {call.call_sid})")
    try:
        reply = call.start()
        while True:
            for prompt in reply.prompts:
                print(f"  receptionist: {prompt}")
            if reply.dialled:
                print(f"  [transferring to {reply.dialled}]")
            if reply.ended:
                break
            if script is not None:
                if not script:
                    print("  [script finished; hanging up]")
                    break
                digits, speech = _as_input(script.pop(0).strip())
                print(f"  you: {digits or speech or '(silence)'}")
            else:
                digits, speech = _interactive_answer(reply)
            reply = call.answer(digits=digits, speech=speech)
    except KeyboardInterrupt:
        print("\n  [you hung up]")
    except CallFailed as error:
        print(f"  [call failed: {error}]", file=sys.stderr)
        return 1
    finally:
        call.hang_up()
    print("Call ended.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
