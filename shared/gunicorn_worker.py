"""The gunicorn worker every service runs: gunicorn's threaded worker, except that requests gunicorn
itself refuses before the application sees them (a request line over the limit, a malformed header,
an unknown method) are answered with the JSON error body the services use, not an HTML page."""

from __future__ import annotations

import json
import re

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker


def _error_code(reason: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_") or "bad_request"


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's util.write_error, answering {"error", "message"} as JSON."""
    body = json.dumps({"error": _error_code(reason), "message": mesg or reason}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin1")
    util.write_nonblock(sock, head + body)


class JsonErrorWorker(ThreadWorker):
    """gthread worker whose own error answers are JSON."""

    def init_process(self) -> None:
        """Swap gunicorn's HTML error writer for the JSON one in this worker process, then run."""
        # Worker.handle_error looks util.write_error up on each error; replacing it here, in the worker
        # process only, changes the body of gunicorn's refusals and nothing else.
        util.write_error = write_json_error
        super().init_process()
