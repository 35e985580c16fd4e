"""The common part of every service's app factory: the blueprint built from the route table (with
each route's authentication), request context, metrics, health endpoints and error handling."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping

from flask import Blueprint, Flask, Response, abort, g, jsonify, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from shared import metrics
from shared.api import ApiError, json_error
from shared.clock import CLOCK_EXTENSION, SYSTEM_CLOCK, Clock
from shared.error_reporting import init_sentry
from shared.log import configure_logging
from shared.routes import Exposure, find_route, routes_for
from shared.security import require_admin_token, require_service_token, require_twilio_signature
from shared.service_client import DEADLINE_HEADER
from shared.twiml import failure_response, twiml_safety_net

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], None]

_GUARDS: dict[Exposure, tuple[Callable, ...]] = {
    Exposure.TWILIO: (twiml_safety_net, require_twilio_signature),
    Exposure.INTERNAL: (require_service_token,),
    Exposure.ADMIN: (require_admin_token,),
    Exposure.WEBHOOK: (),  # the owning service checks the vendor's own signature
    Exposure.MEDIA: (),
    Exposure.STAFF: (),  # the staff console checks its own session (or the ALB's OIDC identity) per page
}


def service_blueprint(service: str, views: Mapping[str, Callable]) -> Blueprint:
    """A blueprint with exactly the service's routes from the table, each wrapped in its auth guard.

    `views` maps each path the table gives the service to its view function; a path missing on
    either side is an error at start-up, so the table and the code cannot disagree.
    """
    owned = {route.path: route for route in routes_for(service)}
    missing, unknown = set(owned) - set(views), set(views) - set(owned)
    if missing or unknown:
        raise RuntimeError(f"{service}: routes without views {sorted(missing)}, views without routes {sorted(unknown)}")
    blueprint = Blueprint(service, service)
    for path, route in owned.items():
        view = views[path]
        for guard in _GUARDS[route.exposure]:
            view = guard(view)
        blueprint.add_url_rule(path, endpoint=views[path].__name__, view_func=view, methods=list(route.methods))
    return blueprint


def create_service_app(
    service: str,
    settings,
    blueprint: Blueprint,
    readiness_checks: Mapping[str, ReadinessCheck] | None = None,
    clock: Clock | None = None,
) -> Flask:
    """A Flask app for one service with logging, Sentry, metrics, /healthz, /readyz and error handlers;
    `clock` is the time its requests see (shared.clock.now), the system clock unless given."""
    configure_logging(service, settings.log_level, settings.log_format)
    init_sentry(settings)
    app = Flask(service)
    app.config["SETTINGS"] = settings
    app.config["SERVICE"] = service
    app.config["MAX_CONTENT_LENGTH"] = getattr(settings, "max_request_bytes", 1024 * 1024)
    app.extensions[CLOCK_EXTENSION] = clock or SYSTEM_CLOCK
    app.register_blueprint(blueprint)
    checks = dict(readiness_checks or {})

    @app.before_request
    def _bind_request_context() -> None:
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g.deadline = _turn_deadline(settings)
        g.call_sid = request.headers.get("X-Call-Sid") or (
            request.form.get("CallSid") if request.mimetype == "application/x-www-form-urlencoded" else None
        )

    @app.before_request
    def _refuse_nul_characters():
        if _is_json_api_route() and _carries_nul():
            return json_error(400, "invalid_characters", "NUL characters are not allowed in paths, queries or bodies")
        return None

    @app.url_value_preprocessor
    def _refuse_impossible_ids(endpoint: str | None, values: dict | None) -> None:
        """An id in a path that no database row can have is simply not found."""
        if values and any(isinstance(value, int) and not 0 <= value <= MAX_ROW_ID for value in values.values()):
            abort(404)

    @app.after_request
    def _record(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        exposure = getattr(_route(), "exposure", None)
        metrics.observe(service, rule, request.method, response.status_code,
                        time.perf_counter() - g.get("started", time.perf_counter()),
                        twilio_turn=exposure is Exposure.TWILIO,
                        signed_webhook=exposure in (Exposure.TWILIO, Exposure.WEBHOOK))
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "alive", "service": service})

    @app.get("/readyz")
    def readyz():
        return readiness(service, checks)

    @app.get("/metrics")
    def prometheus_metrics():
        body, content_type = metrics.render()
        return Response(body, mimetype=content_type.split(";")[0])

    _register_error_handlers(app)
    return app


def readiness(service: str, checks: Mapping[str, ReadinessCheck]):
    """Run each dependency check; 200 when all pass, 503 naming the ones that failed."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            results[name] = f"failed: {type(error).__name__}"
    ready = all(value == "ok" for value in results.values())
    response = jsonify({"status": "ready" if ready else "not_ready", "service": service, "checks": results})
    response.status_code = 200 if ready else 503
    return response


def _route():
    """This request's entry in the route table (None for operations paths and unknown URLs), looked up once."""
    if "route" not in g:
        g.route = find_route(request.url_rule.rule) if request.url_rule else None
    return g.route


def _is_twilio_route() -> bool:
    route = _route()
    return route is not None and route.exposure is Exposure.TWILIO


MAX_ROW_ID = 2**31 - 1
MAX_INHERITED_DEADLINE_MS = 600_000  # a caller's budget longer than ten minutes is not a budget


def _turn_deadline(settings) -> float | None:
    """When this request's work must be done (time.monotonic): a Twilio turn gets TURN_DEADLINE_SECONDS,
    an internal request inherits what is left of its caller's budget (X-Deadline-Ms, at most ten
    minutes; anything else in the header is ignored); others none."""
    inherited = request.headers.get(DEADLINE_HEADER, "")
    if inherited.isascii() and inherited.isdigit() and len(inherited) <= 9:
        return time.monotonic() + min(int(inherited), MAX_INHERITED_DEADLINE_MS) / 1000
    if _is_twilio_route():
        return time.monotonic() + settings.turn_deadline_seconds
    return None


def _is_json_api_route() -> bool:
    route = _route()
    return route is not None and route.exposure in (Exposure.INTERNAL, Exposure.ADMIN)


def _carries_nul() -> bool:
    """True when NUL reaches the request anywhere: no legitimate input has one, and Postgres refuses it."""
    if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        return True
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True))
    if request.mimetype != "application/json":
        return False
    body = request.get_data(cache=True)
    return b"\x00" in body or b"\\u0000" in body


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return json_error(error.status, error.error, error.message, **error.details)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _is_twilio_route():
            # Twilio reads TwiML whatever the status (a bad signature, a body over the limit, ...).
            return Response(str(VoiceResponse()), status=error.code or 500, mimetype="text/xml")
        code = (error.name or "error").lower().replace(" ", "_")
        return json_error(error.code or 500, code, error.description or error.name)

    @app.errorhandler(RecursionError)
    def _too_deep(error: RecursionError):
        if _is_twilio_route():
            return failure_response()
        return json_error(400, "invalid_input", "the request is nested too deeply")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error", extra={"path": request.path})
        if _is_twilio_route():
            return failure_response()
        return json_error(500, "internal_error", "an internal error occurred; it has been logged")
