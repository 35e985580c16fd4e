"""Benchmark of the tts audio cache: cached lookup latency (target p99 under 5 ms) and the cache hit
rate over simulated calls after `make tts-warm` (target at least 90%).

Real Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, flushed: use a spare database),
audio in a temporary folder, the demo clinics loaded into a temporary SQLite database, and
the real ElevenLabs SDK talking to an in-process stand-in that answers after 50 ms.

Call mix (per simulated call): 45% book (greeting, doctor, time, a time re-prompt 1 in 4, name,
phone, address, read-back (during which the booked sentence is prefetched, as booking_handler
does), booked sentence, farewell), 15% cancel/reschedule/availability, 15% a
wrong key then staff, 15% staff at once, 10% hang up after the greeting. Prompts holding patient
details are spoken with <Say> by policy (no BAA) and are not counted as cache lookups.
"""

from __future__ import annotations

import os
import platform
import random
import secrets
import statistics
import struct
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from elevenlabs import ElevenLabs

from services.tts import create_app
from services.tts.prompts import FIXED_PROMPTS, greeting_menu, static_prompts
from services.tts.settings import TtsSettings
from services.tts.warm import warm
from shared.db import make_session_factory, transaction
from shared.settings import LOCAL_INTERNAL_TOKEN
from shared.spoken_time import spoken_datetime
from shared.storage import LocalObjectStore
from tools.manage import local_demo_database

VENDOR_LATENCY_SECONDS = 0.05
# A caller listens to the read-back for several seconds; a fraction of that is enough for the stand-in.
READ_BACK_SECONDS = 4 * VENDOR_LATENCY_SECONDS
LOOKUPS = 2000
CALLS = 400
VOICES = {"riverside": {"voice_id": "BenchRiverside", "settings": {"stability": 0.5}},
          "harbor-dental": {"voice_id": "BenchHarbor", "model_id": "eleven_flash_v2_5"}}


class DemoKnowledgeBase:
    """Answers the two knowledge_base reads tts makes, with the demo clinics as `make run` loads them."""

    def __init__(self):
        from services.knowledge_base import service as kb

        self.clinics: dict[str, dict[str, Any]] = {}
        self.doctors: dict[str, list[dict[str, Any]]] = {}
        _, engine = local_demo_database(tempfile.mkdtemp())
        with transaction(make_session_factory(engine)) as db:
            for slug in ("riverside", "harbor-dental"):
                self.clinics[slug] = {**kb.clinic_json(kb.get_clinic(db=db, slug=slug)), "voice": VOICES.get(slug, {})}
                self.doctors[slug] = [kb.doctor_json(doctor) for doctor in kb.list_doctors(db=db, slug=slug)]
        engine.dispose()

    def get(self, service: str, path: str, **params: Any) -> Any:
        """GET /kb/clinics/<slug> or /kb/clinics/<slug>/doctors."""
        parts = path.strip("/").split("/")
        return self.clinics[parts[2]] if len(parts) == 3 else self.doctors[parts[2]]


class StandInVendor:
    """Counts requests and answers with 0.25 s of 8 kHz PCM after a fixed latency."""

    def __init__(self):
        self.requests = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        """One text-to-speech request."""
        self.requests += 1
        time.sleep(VENDOR_LATENCY_SECONDS)
        return httpx.Response(200, content=struct.pack("<2000h", *([0] * 2000)))


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def call_prompts(rng: random.Random, kb: DemoKnowledgeBase, slug: str, start: datetime) -> list[tuple[str, bool, str]]:
    """The prompts one simulated call asks tts for, as (text, holds patient data, "play" or "prefetch")."""
    clinic, doctors = kb.clinics[slug], kb.doctors[slug]
    prompts = [(greeting_menu(clinic), False)]
    roll = rng.random()
    if roll < 0.45:
        statics = static_prompts(clinic, doctors)
        doctor = rng.choice(doctors)
        prompts.append((next(text for text in statics if text.startswith("Which doctor")), False))
        asked_time = next(text for text in statics if text.startswith(f"When would you like to see {doctor['name']}?"))
        prompts.append((asked_time, False))
        if rng.random() < 0.25:
            prompts.append((next(text for text in FIXED_PROMPTS if "day and time" in text), False))
        slot = start + timedelta(days=rng.randrange(1, 15), hours=rng.randrange(0, 8), minutes=rng.choice((0, 30)))
        booked = f"You're booked with {doctor['name']} for {spoken_datetime(slot, clinic['timezone'], now=start)}."
        prompts += [
            ("May I have your full name, please?", False),
            (f"Thank you. Can we text your confirmation to the number you're calling from, ending in "
             f"{' '.join(str(rng.randrange(10000)).zfill(4))}? Press 1 for yes, or enter a different number "
             "followed by the pound key.", True),
            ("And what is your home address?", False),
            (booked, False, "prefetch"),  # booking_handler's read-back step asks tts to prepare it
            (f"Let me read that back. {doctor['name']}, ... for a caller. "
             "Press 1 to confirm, or 2 to start over.", True),
            (booked, False),
            (f"We'll send you a text message to confirm. Thank you for calling {clinic['name']}. Goodbye.", False),
        ]
    elif roll < 0.60:
        prompts.append((rng.choice([text for text in FIXED_PROMPTS if text.endswith("our staff will help you.")]),
                        False))
    elif roll < 0.75:
        prompts.append((next(text for text in FIXED_PROMPTS if text.startswith("Sorry, I didn't catch that. To")),
                        False))
    return [prompt if len(prompt) == 3 else (*prompt, "play") for prompt in prompts]


def main() -> None:
    """Warm the cache, then measure lookups and a run of simulated calls; print the figures."""
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    vendor, kb = StandInVendor(), DemoKnowledgeBase()
    with tempfile.TemporaryDirectory() as folder:
        settings = TtsSettings(environment="test", redis_url=redis_url, audio_base_url="https://audio.bench.test",
                               tts_cache_secret=secrets.token_hex(16), log_level="WARNING")
        sdk = ElevenLabs(api_key="bench", httpx_client=httpx.Client(transport=httpx.MockTransport(vendor.handle)))
        app = create_app(settings, object_store=LocalObjectStore(Path(folder)), elevenlabs=sdk)
        speech = app.extensions["receptionist"].speech
        speech.index.client.flushdb()
        speech.voices.client = kb
        try:
            report = warm(speech, sorted(kb.clinics))
            statics = [(slug, text) for slug in kb.clinics
                       for text in static_prompts(kb.clinics[slug], kb.doctors[slug])]
            rng = random.Random(7)

            direct = []
            for _ in range(LOOKUPS):
                slug, text = rng.choice(statics)
                started = time.perf_counter()
                assert speech.audio_url(clinic=slug, text=text)
                direct.append(time.perf_counter() - started)
            http = app.test_client()
            headers = {"Authorization": f"Bearer {LOCAL_INTERNAL_TOKEN}"}
            routed = []
            for _ in range(LOOKUPS // 2):
                slug, text = rng.choice(statics)
                started = time.perf_counter()
                answer = http.post("/tts/speech", json={"clinic": slug, "text": text}, headers=headers).get_json()
                routed.append(time.perf_counter() - started)
                assert answer["url"]

            hits = lookups = said = served = 0
            start = datetime(2026, 3, 2, 14, tzinfo=UTC)
            for _ in range(CALLS):
                slug = rng.choice(sorted(kb.clinics))
                for text, patient_data, action in call_prompts(rng, kb, slug, start):
                    if action == "prefetch":
                        speech.audio_url(clinic=slug, text=text, prefetch=True)
                        continue
                    if text.startswith("Let me read that back"):
                        time.sleep(READ_BACK_SECONDS)
                    if patient_data:
                        said += 1
                        continue
                    before = vendor.requests
                    url = speech.audio_url(clinic=slug, text=text)
                    lookups += 1
                    served += bool(url)
                    hits += bool(url) and vendor.requests == before
        finally:
            speech.shutdown()
            speech.index.client.flushdb()
    print(f"tts bench on {platform.platform()} ({platform.python_version()}), {os.cpu_count()} CPUs, Redis {redis_url}")
    print(f"warm-up: {report.rendered} static prompts rendered for {len(kb.clinics)} clinics, "
          f"{len(report.failed)} failed")
    for name, samples in (("SpeechService.audio_url", direct), ("POST /tts/speech", routed)):
        figures = percentiles(samples)
        print(f"cached lookup {name}: p50 {figures['p50']:.3f} ms, p95 {figures['p95']:.3f} ms, "
              f"p99 {figures['p99']:.3f} ms over {len(samples)} (target p99 < 5 ms)")
    print(f"simulated calls: {CALLS}, cache lookups {lookups}, hits {hits}, hit rate {hits / lookups:.1%} "
          f"(target >= 90%); served with audio {served / lookups:.1%} (misses synthesised within the deadline); "
          f"{said} patient-data prompts spoken with <Say>")


if __name__ == "__main__":
    main()
