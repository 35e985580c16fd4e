"""The audio cache key: everything that changes the sound changes the key, nothing else does, and
the secret keeps keys unguessable."""

from __future__ import annotations

import pytest

from services.tts.audio_cache import KEY_PATTERN, cache_key, candidate_object_keys, object_key

BASE = {"text": "Please hold.", "voice_id": "VoiceA", "model_id": "eleven_multilingual_v2",
        "settings": {"stability": 0.4}, "output_format": "pcm_8000", "language": None}


@pytest.mark.parametrize("field, other", [
    ("text", "Please hold on."), ("voice_id", "VoiceB"), ("model_id", "eleven_flash_v2_5"),
    ("settings", {"stability": 0.5}), ("output_format", "ulaw_8000"), ("language", "en"),
])
def test_each_input_of_the_sound_changes_the_key(field, other):
    assert cache_key("secret", **BASE) != cache_key("secret", **{**BASE, field: other})


def test_the_key_is_stable_hex_and_depends_on_the_secret():
    key = cache_key("secret", **BASE)
    assert key == cache_key("secret", **dict(reversed(list(BASE.items()))))
    assert KEY_PATTERN.match(key)
    assert cache_key("another-secret", **BASE) != key
    assert cache_key("secret", **{**BASE, "settings": {"b": 1, "a": 2}}) == cache_key(
        "secret", **{**BASE, "settings": {"a": 2, "b": 1}})


def test_object_keys_separate_static_from_dynamic():
    assert object_key("k", static=True) == "tts/static/k.wav"
    assert object_key("k", static=False) == "tts/dynamic/k.wav"
    assert candidate_object_keys("k") == ["tts/static/k.wav", "tts/dynamic/k.wav"]


def test_the_key_of_a_known_recording_never_changes():
    """Every stored recording is found by this hash: changing how keys are made (escaping, ordering,
    separators) would orphan the whole cache and pay ElevenLabs for all of it again."""
    key = cache_key("secret", **{**BASE, "text": "Café at 10 — Dr. Müller"})
    assert key == "4e80ec82d50767f1b7ef640416dba643e3d62004689c46013281fc568e4a4d6c"
