"""A path router standing in for the ALB in the split deployment: one asyncio process that reads
each HTTP/1.1 request, picks the owning service from shared.routes.ROUTES (operations paths go to the
service named by an `X-Service` header, else twilio_handler) and relays it over pooled keep-alive
connections to that service's gunicorn.

    python -m tools.loadtest.router --port 18100 --backend twilio_handler=127.0.0.1:18101 ...

With --faults it also takes fault injections for the chaos tests at `/__faults` (POST a JSON object
{"<service>": {"delay": seconds, "status": 503, "reset": true}}, DELETE to clear): requests to that
service are delayed, answered with that status, or have their connection dropped.

It keeps the bytes of the request as received (Host included), so Twilio signatures computed for the
router's URL still validate at the service. Only Content-Length request bodies are accepted (Twilio,
requests and Locust all send them); responses may use Content-Length, chunked encoding or close.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import signal
import time

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from shared.routes import OPERATIONS_PATHS, ROUTES

log = logging.getLogger("router")

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 8 * 1024 * 1024
BACKEND_TIMEOUT_SECONDS = 30.0
IDLE_SECONDS = 50.0  # below the services' gunicorn --keep-alive, so the pool never reuses a closed socket
NO_BODY_STATUSES = (b"204", b"304")
IDEMPOTENT_METHODS = (b"GET", b"HEAD", b"OPTIONS")  # like the ALB, never send a POST twice


class RouteTable:
    """Path -> service, from the route table, memoised per path (paths repeat endlessly under load)."""

    def __init__(self) -> None:
        self.adapter = Map([Rule(route.path, endpoint=route.service) for route in ROUTES],
                           merge_slashes=False).bind("router")
        self.memo: dict[str, str | None] = {}

    def service_for(self, path: str, wanted: str | None) -> str | None:
        """The owning service of a path; operations paths go to the service the caller names."""
        if path in OPERATIONS_PATHS:
            return wanted or "twilio_handler"
        if path not in self.memo:
            try:
                self.memo[path] = self.adapter.match(path, method="GET")[0]
            except HTTPException:
                self.memo[path] = None
            if len(self.memo) > 10_000:
                self.memo.clear()
        return self.memo[path]


class BackendPool:
    """Idle keep-alive connections to one backend."""

    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self.idle: collections.deque = collections.deque()

    async def connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bool]:
        """An idle connection (reused=True) or a new one."""
        now = time.monotonic()
        while self.idle:
            reader, writer, since = self.idle.pop()
            if now - since < IDLE_SECONDS and not reader.at_eof() and not writer.is_closing():
                return reader, writer, True
            writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return reader, writer, False

    def discard_idle(self) -> None:
        """Close every idle connection."""
        while self.idle:
            self.idle.pop()[1].close()

    def release(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Return a connection for reuse."""
        self.idle.append((reader, writer, time.monotonic()))


def _header_lines(head: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    first, _, rest = head.partition(b"\r\n")
    headers: dict[bytes, bytes] = {}
    for line in rest.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return first, headers


def _plain(status: str, message: str, close: bool = True) -> bytes:
    body = f'{{"error": "router", "message": "{message}"}}'.encode()
    connection = b"close" if close else b"keep-alive"
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
            + b"Connection: " + connection + b"\r\n\r\n" + body)


def _content_length(headers: dict[bytes, bytes]) -> int:
    """The request body's length from its Content-Length header (none: no body)."""
    return int(headers.get(b"content-length", b"0") or 0)


def _refusal(parts: list[bytes], headers: dict[bytes, bytes]) -> bytes | None:
    """The answer to a request the router does not relay (malformed, chunked, too large); None to relay it."""
    if len(parts) != 3:
        return _plain("400 Bad Request", "malformed request line")
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        return _plain("411 Length Required", "chunked request bodies are not supported")
    if _content_length(headers) > MAX_BODY_BYTES:
        return _plain("413 Payload Too Large", "request body too large")
    return None


async def _read_response(reader: asyncio.StreamReader, method: bytes) -> tuple[bytes, bool]:
    """The backend's whole response as raw bytes, and whether its connection can be reused."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, headers = _header_lines(head)
    status = status_line.split(b" ", 2)[1] if status_line.count(b" ") else b"502"
    reusable = headers.get(b"connection", b"").lower() != b"close"
    if method == b"HEAD" or status in NO_BODY_STATUSES or status.startswith(b"1"):
        return head, reusable
    if b"content-length" in headers:
        return head + await reader.readexactly(int(headers[b"content-length"])), reusable
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        parts = [head]
        while True:
            size_line = await reader.readuntil(b"\r\n")
            parts.append(size_line)
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                parts.append(await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b"\r\n")
                return b"".join(parts), reusable
            parts.append(await reader.readexactly(size + 2))
    return head + await reader.read(), False


class Router:
    """The proxy: client connections in, pooled backend connections out."""

    def __init__(self, backends: dict[str, tuple[str, int]], faults_enabled: bool = False):
        self.routes = RouteTable()
        self.pools = {service: BackendPool(host, port) for service, (host, port) in backends.items()}
        self.faults_enabled = faults_enabled
        self.faults: dict[str, dict] = {}

    def control_faults(self, method: bytes, body: bytes) -> bytes:
        """Set (POST) or clear (DELETE) injected faults; answer with the faults in force."""
        if method == b"DELETE":
            self.faults.clear()
        elif method == b"POST":
            try:
                self.faults.update(json.loads(body or b"{}"))
            except ValueError:
                return _plain("400 Bad Request", "faults must be a JSON object", close=False)
        payload = json.dumps(self.faults).encode()
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(payload)).encode() + b"\r\n\r\n" + payload)

    async def faulty(self, service: str) -> bytes | None:
        """Apply an injected fault: sleep, then a canned status, a dropped connection (b""), or nothing."""
        fault = self.faults.get(service)
        if not fault:
            return None
        if fault.get("delay"):
            await asyncio.sleep(float(fault["delay"]))
        if fault.get("reset"):
            return b""
        if fault.get("status"):
            return _plain(f"{int(fault['status'])} Injected", "injected fault", close=False)
        return None

    async def forward(self, service: str, method: bytes, request: bytes) -> bytes:
        """Send one request to a service and return its response; a dead pooled socket is retried once."""
        pool = self.pools[service]
        for _ in range(2):
            reader, writer, reused = await pool.connection()
            try:
                writer.write(request)
                await writer.drain()
                response, reusable = await asyncio.wait_for(_read_response(reader, method), BACKEND_TIMEOUT_SECONDS)
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                writer.close()
                if reused:
                    pool.discard_idle()  # one dead pooled socket usually means the backend restarted
                partial = getattr(error, "partial", b"")
                if reused and not partial and method in IDEMPOTENT_METHODS:
                    continue  # most likely an idle connection the backend had closed; safe to send again
                raise
            except BaseException:
                writer.close()
                raise
            if reusable:
                pool.release(reader, writer)
            else:
                writer.close()
            return response
        raise ConnectionError("backend closed the connection twice")

    async def serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Relay requests on one client connection until it closes."""
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    writer.write(_plain("431 Request Header Fields Too Large", "request head too large"))
                    return
                first, headers = _header_lines(head)
                parts = first.split(b" ")
                refusal = _refusal(parts, headers)
                if refusal is not None:
                    writer.write(refusal)
                    return
                method, target, version = parts
                length = _content_length(headers)
                body = await reader.readexactly(length) if length else b""
                keep_alive = version == b"HTTP/1.1" and headers.get(b"connection", b"").lower() != b"close"
                path = target.split(b"?", 1)[0].decode("latin-1")
                wanted = headers.get(b"x-service", b"").decode("latin-1") or None
                service = self.routes.service_for(path, wanted)
                injected = await self.faulty(service) if self.faults and service else None
                if self.faults_enabled and path == "/__faults":
                    writer.write(self.control_faults(method, body))
                elif injected == b"":
                    return
                elif injected:
                    writer.write(injected)
                elif service not in self.pools:
                    writer.write(_plain("404 Not Found", "no service owns this path", close=not keep_alive))
                else:
                    try:
                        writer.write(await self.forward(service, method, head + body))
                    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                        log.warning("%s %s: backend %s failed: %s", method.decode(), path, service,
                                    type(error).__name__)
                        writer.write(_plain("502 Bad Gateway", f"{service} did not answer", close=True))
                        keep_alive = False
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


def parse_backends(values: list[str]) -> dict[str, tuple[str, int]]:
    """`service=host:port` arguments as a mapping."""
    backends = {}
    for value in values:
        service, _, address = value.partition("=")
        host, _, port = address.rpartition(":")
        backends[service] = (host or "127.0.0.1", int(port))
    return backends


async def serve(host: str, port: int, backends: dict[str, tuple[str, int]], faults: bool = False) -> None:
    """Run the router until SIGTERM or SIGINT."""
    router = Router(backends, faults)
    server = await asyncio.start_server(router.serve_client, host, port, limit=MAX_HEAD_BYTES, backlog=4096,
                                        reuse_address=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    log.info("router listening on %s:%s for %s", host, port, ", ".join(sorted(backends)))
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description="Path router (ALB stand-in) derived from shared.routes.ROUTES.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", action="append", default=[], help="service=host:port (repeat)")
    parser.add_argument("--faults", action="store_true", help="accept fault injections at /__faults (chaos tests)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s router %(levelname)s %(message)s")
    asyncio.run(serve(args.host, args.port, parse_backends(args.backend), args.faults))


if __name__ == "__main__":
    main()
