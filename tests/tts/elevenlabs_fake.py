"""A fake ElevenLabs text-to-speech API behind an httpx transport, so the real SDK is exercised.

The elevenlabs v2 SDK sends its requests with httpx, which `responses` (a `requests` fake) cannot
see; the SDK accepts an `httpx_client`, so this fake is its transport. Every request is checked
against the vendor's OpenAPI subset in ../shared/vendor-specs/elevenlabs_tts_subset.json (path,
query parameters, header, body fields and their types); a request the vendor would refuse is
answered 422 as the vendor does and recorded in `violations`. Failure modes answer like the vendor:
429 too_many_concurrent_requests, 5xx, a slow answer, or a read timeout.
"""

from __future__ import annotations

import json
import math
import re
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.vendor_specs import vendor_spec

API_KEY = "test-elevenlabs-key"
BASE_URL = "https://api.elevenlabs.io"
SPEC_NAME = "elevenlabs_tts_subset.json"
_PATH = re.compile(r"^/v1/text-to-speech/(?P<voice_id>[^/]+)$")
_JSON_TYPES = {"string": str, "number": (int, float), "integer": int, "boolean": bool, "array": list, "object": dict}


def load_spec() -> dict[str, Any]:
    """The vendor's spec (see tests/vendor_specs.py for where it is found)."""
    return json.loads(vendor_spec(SPEC_NAME).read_text())


def _types_of(schema: dict[str, Any]) -> set[str]:
    if "anyOf" in schema:
        return {kind for option in schema["anyOf"] for kind in _types_of(option)}
    if "$ref" in schema:
        return {"object"}
    return {schema["type"]} if "type" in schema else set()


def _matches(value: Any, kinds: set[str]) -> bool:
    if value is None:
        return "null" in kinds
    if isinstance(value, bool):
        return "boolean" in kinds
    return any(isinstance(value, _JSON_TYPES[kind]) for kind in kinds if kind in _JSON_TYPES)


def tone(voice_id: str, text: str, sample_rate: int = 8000, seconds: float = 0.25) -> bytes:
    """Deterministic 16-bit PCM: a tone whose pitch depends on voice and text, so recordings differ."""
    pitch = 200 + zlib.crc32(f"{voice_id}|{text}".encode()) % 600
    count = int(sample_rate * seconds)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * n / sample_rate)))
                    for n in range(count))


@dataclass
class SpeechRequestSeen:
    """One text-to-speech request as the vendor received it."""

    voice_id: str
    query: dict[str, str]
    body: dict[str, Any]
    api_key: str | None


@dataclass
class FakeElevenLabs:
    """The fake vendor; set `mode` to ok, slow, rate_limited, server_error or timeout."""

    spec: dict[str, Any]
    mode: str = "ok"
    delay_seconds: float = 0.0
    gate: threading.Event | None = None  # when set, synthesis waits for it (at most 30 s)
    requests: list[SpeechRequestSeen] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def operation(self) -> dict[str, Any]:
        """The spec's POST /v1/text-to-speech/{voice_id}."""
        return self.spec["paths"]["/v1/text-to-speech/{voice_id}"]["post"]

    def schema(self, name: str) -> dict[str, Any]:
        """A component schema by name."""
        return self.spec["components"]["schemas"][name]

    def transport(self) -> httpx.MockTransport:
        """The httpx transport to give the SDK."""
        return httpx.MockTransport(self.handle)

    def texts(self) -> list[str]:
        """The texts synthesised so far."""
        with self.lock:
            return [seen.body.get("text") for seen in self.requests]

    def reset(self) -> None:
        """Forget the requests seen."""
        with self.lock:
            self.requests.clear()

    def check(self, request: httpx.Request) -> tuple[list[str], SpeechRequestSeen | None]:
        """What in a request the vendor would refuse, and the request as seen."""
        match = _PATH.match(request.url.path)
        if request.method != "POST" or not match:
            return [f"no such operation: {request.method} {request.url.path}"], None
        query = dict(request.url.params)
        problems = self.query_problems(query)
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            problems.append("body is not JSON")
        try:
            body = json.loads(request.content or b"{}")
        except ValueError:
            return problems + ["body is not valid JSON"], None
        problems += self.body_problems(body)
        seen = SpeechRequestSeen(match["voice_id"], query, body, request.headers.get("xi-api-key"))
        return problems, seen

    def query_problems(self, query: dict[str, str]) -> list[str]:
        """Query parameters the spec does not have, values outside its enums, deprecated parameters."""
        problems: list[str] = []
        parameters = {p["name"]: p for p in self.operation["parameters"]}
        for name, value in query.items():
            parameter = parameters.get(name)
            if parameter is None or parameter["in"] != "query":
                problems.append(f"unknown query parameter {name}")
            elif "enum" in parameter["schema"] and value not in parameter["schema"]["enum"]:
                problems.append(f"{name}={value} not in the spec's enum")
            elif parameter.get("deprecated"):
                problems.append(f"deprecated query parameter {name}")
        return problems

    def body_problems(self, body: dict[str, Any]) -> list[str]:
        """Body fields missing, unknown or of the wrong type (voice settings included), and a language
        code for a model that does not take one."""
        problems: list[str] = []
        schema = self.schema("Body_Text_to_speech_v1_text_to_speech__voice_id__post")
        for name in schema.get("required", []):
            if name not in body:
                problems.append(f"missing required body field {name}")
        for name, value in body.items():
            if name not in schema["properties"]:
                problems.append(f"unknown body field {name}")
            elif not _matches(value, _types_of(schema["properties"][name])):
                problems.append(f"body field {name} has the wrong type")
        settings = body.get("voice_settings")
        if isinstance(settings, dict):
            allowed = self.schema("VoiceSettingsResponseModel")["properties"]
            for name, value in settings.items():
                if name not in allowed:
                    problems.append(f"unknown voice setting {name}")
                elif not _matches(value, _types_of(allowed[name])):
                    problems.append(f"voice setting {name} has the wrong type")
        if body.get("language_code") and body.get("model_id", "eleven_multilingual_v2") not in (
            "eleven_turbo_v2_5", "eleven_flash_v2_5"
        ):
            problems.append("language_code is only supported by Turbo v2.5 and Flash v2.5")
        return problems

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as ElevenLabs would."""
        problems, seen = self.check(request)
        if seen is not None:
            with self.lock:
                self.requests.append(seen)
        if problems:
            with self.lock:
                self.violations.extend(problems)
            detail = [{"loc": ["body"], "msg": problem, "type": "value_error"} for problem in problems]
            return httpx.Response(422, json={"detail": detail})
        if seen.api_key != API_KEY:
            return httpx.Response(401, json={"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
        if self.mode == "rate_limited":
            return httpx.Response(429, json={"detail": {
                "status": "too_many_concurrent_requests",
                "message": "Your plan's concurrency limit is exceeded. Please try again later."}})
        if self.mode == "server_error":
            return httpx.Response(503, json={"detail": {"status": "service_unavailable", "message": "Try again."}})
        if self.mode == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if self.gate is not None:
            self.gate.wait(30)
        rate = int(seen.query.get("output_format", "mp3_44100_128").split("_")[1])
        return httpx.Response(200, content=tone(seen.voice_id, seen.body["text"], rate),
                              headers={"content-type": "audio/pcm"})
