"""tts routes: the audio URL for a prompt (or null, so the caller hears <Say>), and in local mode the
audio files themselves."""

from __future__ import annotations

from flask import Response, jsonify
from pydantic import BaseModel, Field

from services.tts.audio import stored_recording
from shared.api import ApiError, parse_json_body
from shared.service_client import remaining_turn_seconds
from shared.wiring import dependencies


class SpeechRequest(BaseModel):
    """POST /tts/speech."""

    clinic: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=2000)
    language: str | None = Field(None, max_length=16)
    patient_data: bool = False
    prefetch: bool = Field(False, description="start synthesising and answer at once (a prompt needed soon)")


def speech():
    """{"url": ..., "cache_seconds": n}: the prompt in the clinic's voice (null: use <Say>), and for how
    long the caller of this route may reuse the answer for the same clinic, text and patient_data."""
    body = parse_json_body(SpeechRequest)
    answer = dependencies().speech.answer(
        clinic=body.clinic, text=body.text, language=body.language, patient_data=body.patient_data,
        prefetch=body.prefetch, deadline_seconds=remaining_turn_seconds(),
    )
    return jsonify({"url": answer.url, "cache_seconds": answer.cache_seconds})


def audio(key: str):
    """GET /tts/audio/<key>.wav: one stored recording, immutable (local mode serves audio itself)."""
    found = stored_recording(dependencies().store, key)
    if found is None:
        raise ApiError(404, "audio_not_found", "no recording with this key")
    body, headers = found
    return Response(body, status=200, headers=headers)


VIEWS = {"/tts/speech": speech, "/tts/audio/<key>.wav": audio}
