"""Serving stored recordings over HTTP (local mode): body and the headers of an immutable WAV file."""

from __future__ import annotations

from services.tts.audio_cache import AUDIO_CACHE_CONTROL, AUDIO_CONTENT_TYPE, KEY_PATTERN, candidate_object_keys


def stored_recording(store, key: str) -> tuple[bytes, dict[str, str]] | None:
    """The WAV bytes and response headers of a recording, or None when the key names none."""
    if not KEY_PATTERN.match(key):
        return None
    for stored_at in candidate_object_keys(key):
        body = store.get(stored_at)
        if body is not None:
            return body, {"Content-Type": AUDIO_CONTENT_TYPE, "Cache-Control": AUDIO_CACHE_CONTROL,
                          "ETag": f'"{key}"', "Content-Length": str(len(body))}
    return None
