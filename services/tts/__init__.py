"""tts: the clinic's voice for prompts. Without ELEVENLABS_API_KEY it answers null (use <Say>)."""

from __future__ import annotations

from flask import Flask

from services.tts.settings import TtsSettings
from services.tts.views import VIEWS
from shared.app import create_service_app, service_blueprint

SERVICE = "tts"
SETTINGS = TtsSettings


def create_app(settings: TtsSettings | None = None) -> Flask:
    """Build the tts app."""
    settings = settings or TtsSettings()
    return create_service_app(SERVICE, settings, service_blueprint(SERVICE, VIEWS))
