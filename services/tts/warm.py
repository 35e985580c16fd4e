"""Pre-render every clinic's static prompts in its voice (`make tts-warm`; a Kubernetes Job in the
cluster), so callers hear cached audio from their first call. Safe to repeat: cached prompts cost
one Redis GET each, and a 429 makes it pause and retry instead of hammering ElevenLabs."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from sqlalchemy import text

from services.tts import build_speech_service
from services.tts.prompts import static_prompts
from services.tts.settings import TtsSettings
from services.tts.speech import SpeechService
from services.tts.synthesis import SynthesisFailed
from shared.db import make_engine
from shared.log import configure_logging

log = logging.getLogger(__name__)

RETRYABLE = frozenset({"rate_limited", "circuit_open", "busy", "timeout", "server_error", "unavailable"})


@dataclass
class WarmReport:
    """What a warm-up did."""

    rendered: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)


def warm(speech: SpeechService, slugs: list[str], *, attempts: int = 5, pause_seconds: float = 2.0,
         sleep=time.sleep, progress: Callable[[int, str, WarmReport], None] | None = None) -> WarmReport:
    """Make sure every static prompt of the given clinics is stored; failures are listed, not raised.
    `progress(clinics done, slug, report so far)` is called after each clinic."""
    report = WarmReport()
    for done, slug in enumerate(slugs, start=1):
        voice = speech.voices.voice(slug)
        if voice is None:
            report.failed.append(f"{slug}: clinic configuration unavailable")
        else:
            _warm_clinic(speech, voice, slug, report, attempts, pause_seconds, sleep)
        if progress is not None:
            progress(done, slug, report)
    return report


def _warm_clinic(speech: SpeechService, voice, slug: str, report: WarmReport, attempts: int, pause_seconds: float,
                 sleep) -> None:
    for prompt in static_prompts(voice.clinic, speech.voices.doctors(slug)):
        for attempt in range(attempts):
            try:
                _, synthesised = speech.prerender(voice, prompt)
            except SynthesisFailed as error:
                if error.kind in RETRYABLE and attempt + 1 < attempts:
                    sleep(pause_seconds * 2**attempt)
                    continue
                report.failed.append(f"{slug}: {error.kind}")
                break
            report.rendered += synthesised
            report.cached += not synthesised
            break


def clinic_slugs(database_url: str) -> list[str]:
    """Every clinic's slug, read from the database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT slug FROM clinics ORDER BY slug")).scalars())
    finally:
        engine.dispose()


def _service_session(settings: TtsSettings) -> requests.Session | None:
    if settings.service_url_template:
        return None
    from services.all_in_one import create_all_in_one

    session = requests.Session()
    create_all_in_one(http=session)  # local mode: knowledge_base answers in this process
    return session


def main(argv: list[str] | None = None) -> int:
    """Warm the audio cache; exit status 1 when any prompt could not be rendered."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clinic", action="append", help="clinic slug (repeatable); default: every clinic")
    args = parser.parse_args(argv)
    settings = TtsSettings()
    configure_logging("tts-warm", settings.log_level, "text")
    speech = build_speech_service(settings, http=_service_session(settings))
    if not speech.enabled:
        log.info("ELEVENLABS_API_KEY is not set: prompts are spoken with <Say>, nothing to pre-render")
        return 0
    slugs = args.clinic or clinic_slugs(settings.database_url)
    started = time.monotonic()

    def progress(done: int, slug: str, report: WarmReport) -> None:
        log.info("tts warm-up: clinic %d/%d (%s) done; %d rendered, %d already cached, %d failed so far; %.0f s",
                 done, len(slugs), slug, report.rendered, report.cached, len(report.failed), time.monotonic() - started)

    log.info("tts warm-up: %d clinics", len(slugs))
    try:
        report = warm(speech, slugs, progress=progress)
    finally:
        speech.shutdown()
    log.info("tts warm-up: %d rendered, %d already cached, %d failed", report.rendered, report.cached,
             len(report.failed))
    for failure in report.failed:
        log.error("not rendered: %s", failure)
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
