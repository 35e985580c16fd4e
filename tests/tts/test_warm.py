"""`make tts-warm` renders every clinic's static prompts once, and afterwards a whole booking call
only synthesises its dynamic sentences: this keeps services/tts/prompts.py in step with the
conversation code (a reworded fixed prompt shows up here as an unexpected synthesis)."""

from __future__ import annotations

from services.tts.prompts import static_prompts
from services.tts.warm import clinic_slugs, warm
from tests.tts.test_patient_data_and_local_mode import book_by_keypad_with_audio


def _expected_prompts(speech, slug: str) -> list[str]:
    return static_prompts(speech.voices.voice(slug).clinic, speech.voices.doctors(slug))


def test_warm_renders_each_static_prompt_once_per_clinic(tts_system, database_url):
    speech = tts_system.speech
    slugs = clinic_slugs(database_url)
    assert slugs == ["harbor-dental", "riverside"]
    seen = []
    report = warm(speech, slugs, progress=lambda done, slug, so_far: seen.append((done, slug, so_far.rendered)))
    expected = sum(len(_expected_prompts(speech, slug)) for slug in slugs)
    first = len(_expected_prompts(speech, slugs[0]))
    assert seen == [(1, slugs[0], first), (2, slugs[1], expected)], "progress after each clinic"
    assert report.failed == [] and report.rendered == expected == len(tts_system.fake.requests)
    assert expected > 40
    keys = [item["Key"]
            for item in tts_system.store.store.client.list_objects_v2(Bucket="receptionist-audio-test")["Contents"]]
    assert len(keys) == expected and all(key.startswith("tts/static/") for key in keys)

    again = warm(speech, slugs)
    assert (again.rendered, again.cached) == (0, expected)
    assert len(tts_system.fake.requests) == expected


def test_after_warm_a_booking_call_synthesises_only_its_dynamic_sentences(tts_system):
    warm(tts_system.speech, ["riverside"])
    tts_system.fake.reset()
    _, reply = book_by_keypad_with_audio(tts_system)
    assert reply.hung_up
    synthesised = tts_system.fake.texts()
    # Only the sentence with the doctor and time is new; the phone prompt (caller's digits) and the
    # read-back hold patient data and this clinic has no BAA, so they are spoken with <Say>.
    assert len(synthesised) == 1, synthesised
    assert synthesised[0].startswith("You're booked with Dr. Sarah Chen")

def test_warm_pauses_and_retries_after_a_rate_limit(tts_system):
    pauses: list[float] = []
    tts_system.fake.mode = "rate_limited"

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        tts_system.fake.mode = "ok"
        tts_system.speech.index.client.delete("tts:backoff")

    report = warm(tts_system.speech, ["riverside"], sleep=sleep)
    assert report.failed == [] and pauses == [2.0]
    assert report.rendered == len(_expected_prompts(tts_system.speech, "riverside"))
