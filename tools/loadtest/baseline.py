"""The yardstick for the load test: a minimal Flask app answering every POST with fixed TwiML, served by
gunicorn with the same settings as the services, so the system's turns per second can be read as a
ratio of what Flask and gunicorn alone can do on this machine.

    gunicorn 'tools.loadtest.baseline:create_app()'
"""

from __future__ import annotations

from flask import Flask, Response

FIXED_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/process-selection" input="dtmf speech" '
    'numDigits="1"><Say voice="Polly.Joanna">To book an appointment, press 1.</Say></Gather></Response>'
)


def create_app() -> Flask:
    """A Flask app with one catch-all POST route returning fixed TwiML."""
    app = Flask("baseline")

    @app.post("/", defaults={"path": ""})
    @app.post("/<path:path>")
    def fixed(path: str) -> Response:
        return Response(FIXED_TWIML, mimetype="text/xml")

    @app.get("/readyz")
    def ready() -> Response:
        return Response('{"status": "ready"}', mimetype="application/json")

    return app
