"""tts routes: the audio URL for a prompt, or null so the caller hears <Say>."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, Field

from shared.api import parse_json_body


class SpeechRequest(BaseModel):
    """POST /tts/speech."""

    clinic: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=2000)
    language: str | None = Field(None, max_length=16)
    patient_data: bool = False


def speech():
    """Answer {"url": null}: without a voice provider configured every prompt is spoken with <Say>."""
    parse_json_body(SpeechRequest)
    return jsonify({"url": None})


VIEWS = {"/tts/speech": speech}
