"""Turning a caller's words (Twilio's transcript) into exact values: intent, yes/no, doctor, date and
time, name, phone. Each interpreter returns {"value": ..., "confidence": 0..1} (sometimes with
"alternatives") or {"value": None, "reason": ...}; all are deterministic and need no network."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.receptionist_agent.doctor_match import interpret_doctor
from services.receptionist_agent.intents import interpret_intent, interpret_yes_no
from services.receptionist_agent.names import interpret_name
from services.receptionist_agent.phone import interpret_phone
from services.receptionist_agent.spoken_datetime import interpret_datetime
from services.receptionist_agent.utterance import interpret_utterance

Answer = dict[str, Any]

INTERPRETERS: dict[str, Callable[..., Answer]] = {
    "intent": interpret_intent,
    "yes_no": interpret_yes_no,
    "doctor": interpret_doctor,
    "datetime": interpret_datetime,
    "name": interpret_name,
    "phone": interpret_phone,
    "utterance": interpret_utterance,
}
KINDS = tuple(INTERPRETERS)


def interpret(kind: str, text: str, **context: Any) -> Answer:
    """Interpret one utterance of a kind; context is timezone, now, doctors, region, and for whole
    utterances the slot asked about (expect) and the clinic's own department words (synonyms)."""
    if not text or not text.strip():
        return {"value": None, "reason": "nothing was said"}
    return INTERPRETERS[kind](text, **context)
