"""Ways to break things on purpose, without touching anything other agents use: a private redis-server
that can be stopped and restarted on the same port, and a TCP proxy whose connections can be cut (a
Postgres restart as the application sees it: every connection dropped, new ones refused until back)
or hung (a backend that accepts connections and never answers: a stopped process, a full disk)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import redis

from tools.loadtest.deployment import free_port_block


class PrivateRedis:
    """A redis-server process started and stopped by the test itself."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port_block(1)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Its URL, database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (tools/ensure_backends.sh installs it)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        """Stop it (this process only)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class TcpProxy:
    """Forwards a local port to a target; cut() drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port_block(1)
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.accepting = threading.Event()
        self.answering = threading.Event()
        self.answering.set()

    def start(self) -> None:
        """Listen and forward."""
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.accepting.set()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self) -> None:
        while self.listener is not None:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.accepting.is_set():
                client.close()  # the database is "down": refuse at once, as a stopped Postgres would
                continue
            with self.lock:
                self.connections.append(client)
            self.answering.wait()  # hung: the connection is accepted, and nothing ever comes back
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.answering.wait()  # hung: what was sent is held, not passed on
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Drop every open connection and refuse new ones (Postgres going down)."""
        self.accepting.clear()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                    connection.close()
                except OSError:
                    pass
            self.connections.clear()

    def restore(self) -> None:
        """Accept connections again (Postgres back up)."""
        self.accepting.set()

    def hang(self) -> None:
        """Keep accepting connections but pass nothing on in either direction (a hung backend)."""
        self.answering.clear()

    def unhang(self) -> None:
        """Pass traffic on again."""
        self.answering.set()

    def stop(self) -> None:
        """Close everything."""
        self.cut()
        self.answering.set()
        if self.listener is not None:
            self.listener.close()
            self.listener = None
