"""The floor of this architecture for the load test: bare Flask services in a chain, each turn making as
many internal HTTP hops as the real call mix makes on average, with no database, Redis or logic.

The front answers Twilio's webhook with fixed TwiML after passing the turn down the chain: it draws the
number of hops for this turn (floor or ceiling of FLOOR_HOPS, so the mean is FLOOR_HOPS), and each
link calls the next over HTTP (keep-alive session, as the services' client) until none are left.
Served by gunicorn with the same settings as the services, one process per link, behind the same
path router. What the system does beyond this floor is its own work; what the floor costs is the
price of splitting a turn across services on this machine.

    FLOOR_HOPS=2.4 FLOOR_NEXT=http://127.0.0.1:8101 gunicorn 'tools.loadtest.floor:create_app()'
"""

from __future__ import annotations

import math
import os
import random

import requests
from flask import Flask, Response, request

from tools.loadtest.baseline import FIXED_TWIML

HOPS_HEADER = "X-Floor-Hops"
INTERNAL_ANSWER = '{"status": "ok"}'


def hops_for_turn(mean: float, rng: random.Random) -> int:
    """A whole number of hops whose average over many turns is `mean`."""
    low = math.floor(mean)
    return low + (rng.random() < mean - low)


def create_app() -> Flask:
    """One link of the chain: FLOOR_NEXT is the next link's base URL (none for the last), FLOOR_HOPS
    the mean hops per turn (read by the front, which receives requests without the hops header)."""
    app = Flask("floor")
    next_url = os.environ.get("FLOOR_NEXT", "")
    mean = float(os.environ.get("FLOOR_HOPS", "0"))
    session = requests.Session()
    session.trust_env = False  # as shared.service_client: no per-call proxy and .netrc lookups
    rng = random.Random()

    def forward(hops: int) -> None:
        if hops > 0:
            if not next_url:
                raise RuntimeError("FLOOR_NEXT is not set but hops remain: the chain is too short")
            session.post(f"{next_url}/floor/hop", json={"hops_left": hops - 1},
                         headers={HOPS_HEADER: str(hops - 1)}, timeout=5).raise_for_status()

    @app.post("/floor/hop")
    def hop() -> Response:
        forward(int(request.headers.get(HOPS_HEADER, "0")))
        return Response(INTERNAL_ANSWER, mimetype="application/json")

    @app.post("/", defaults={"path": ""})
    @app.post("/<path:path>")
    def turn(path: str) -> Response:
        forward(hops_for_turn(mean, rng))
        return Response(FIXED_TWIML, mimetype="text/xml")

    @app.get("/readyz")
    def ready() -> Response:
        return Response('{"status": "ready"}', mimetype="application/json")

    return app
