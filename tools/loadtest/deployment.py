"""The split deployment on one machine: each of the eight services in its own gunicorn on its own
loopback port, the path router (ALB stand-in) in front, and the fixed-TwiML baseline app beside them,
all on real Postgres and Redis; on demand, the architecture's floor (a chain of bare Flask services).
Used by `python -m tools.loadtest` and by the fault tests.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.messaging.models import PENDING, SENDING
from shared.db import make_engine, make_session_factory, migrate
from shared.routes import SERVICES, find_route
from shared.settings import CommonSettings
from shared.storage import make_object_store

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "tools" / "loadtest" / "gunicorn_conf.py"
WORKERS = (  # (process name, module, service whose settings it runs with), as the k8s worker Deployments
    ("messaging-worker", "services.messaging.worker", "messaging"),
    ("calendly-dispatcher", "services.calendly.dispatcher", "calendly"),
)


@dataclass
class GunicornSettings:
    """The same gunicorn settings for every service and for the baseline."""

    worker_class: str = "gthread"
    workers: int = 1
    threads: int = 32
    worker_connections: int = 2000
    timeout: int = 30

    def arguments(self) -> list[str]:
        """Command-line flags."""
        flags = ["-k", self.worker_class, "-w", str(self.workers), "--timeout", str(self.timeout),
                 "--graceful-timeout", "5", "--keep-alive", "75", "--backlog", "2048", "--log-level", "warning"]
        if self.worker_class == "gthread":
            flags += ["--threads", str(self.threads)]
        else:
            flags += ["--worker-connections", str(self.worker_connections)]
        return flags

    def describe(self) -> str:
        """One line for reports."""
        per_worker = (f"{self.threads} threads" if self.worker_class == "gthread"
                      else f"{self.worker_connections} connections")
        return f"gunicorn -k {self.worker_class}, {self.workers} worker(s) x {per_worker} per service"


def free_port_block(size: int) -> int:
    """The first port of `size` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65000 and all(port_is_free(base + offset) for offset in range(size)):
            return base
    raise RuntimeError("no block of free ports found")


def port_is_free(port: int) -> bool:
    """True when nothing listens on the loopback port."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def prepare_database(url: str, objects_dir: Path) -> None:
    """Create the database if needed, empty it, migrate it and load the demo clinics (their PDFs kept in
    `objects_dir`, which the services must use as LOCAL_DATA_DIR).

    Load and fault runs happen at any hour on the real clock, so their clinics answer the staff line
    around the clock (no opening hours): what they measure must not change with the time of day.
    Opening hours themselves are tested on a fixed clock (tests/calls, tests/dialogue)."""
    from services.knowledge_base.service import load_demo_clinics

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": parsed.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate(url)
    engine = make_engine(url)
    try:
        load_demo_clinics(db=make_session_factory(engine), objects=make_object_store(
            CommonSettings(database_url=url, local_data_dir=objects_dir)))
        with engine.begin() as connection:
            connection.execute(text("UPDATE clinics SET opening_hours = '[]', closures = '[]'"))
    finally:
        engine.dispose()


OVERLAP_SQL = """
SELECT count(*) FROM appointments a JOIN appointments b
  ON a.doctor_id = b.doctor_id AND a.id < b.id
 AND a.status = 'booked' AND b.status = 'booked'
 AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""


def booking_counts(url: str) -> dict[str, int]:
    """Appointments by status, the number of overlapping pairs of booked appointments of one doctor,
    calls recorded, and texts by status."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = dict(connection.execute(text("SELECT status, count(*) FROM appointments GROUP BY status")).all())
            counts["overlapping_pairs"] = connection.execute(text(OVERLAP_SQL)).scalar()
            counts["calls_recorded"] = connection.execute(text("SELECT count(*) FROM calls")).scalar()
            for status, count in connection.execute(text("SELECT status, count(*) FROM sms_messages GROUP BY status")):
                counts[f"texts_{status}"] = count
    finally:
        engine.dispose()
    return counts


def wait_for_texts(url: str, timeout: float = 30.0) -> int:
    """Wait until no text is waiting to be sent (the messaging worker caught up); returns how many still wait."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                waiting = connection.execute(
                    text("SELECT count(*) FROM sms_messages WHERE status IN (:pending, :sending)"),
                    {"pending": PENDING, "sending": SENDING}).scalar()
            if not waiting or time.monotonic() > deadline:
                return waiting
            time.sleep(0.5)
    finally:
        engine.dispose()


@dataclass
class SplitDeployment:
    """Processes of the split deployment; start() brings them up, stop() ends exactly those."""

    database_url: str
    redis_url: str
    run_dir: Path
    gunicorn: GunicornSettings = field(default_factory=GunicornSettings)
    base_port: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)
    with_baseline: bool = True
    router_faults: bool = False
    # The cluster's background workers too: messaging sends from its worker (SMS_SEND_MODE=worker, as in
    # production) and the outbox dispatcher delivers what a booking's fast path missed.
    with_workers: bool = False
    # Internal calls through the router (where fault injection happens), or straight to each service's
    # port as in the cluster, where they go to Kubernetes Services and never through the ALB.
    internal_hops_via_router: bool = True
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_port:
            self.base_port = free_port_block(len(SERVICES) + 2)
        self.ports = {service: self.base_port + 1 + index for index, service in enumerate(SERVICES)}
        self.router_port = self.base_port
        self.baseline_port = self.base_port + 1 + len(SERVICES)

    @property
    def router_url(self) -> str:
        """Where Twilio (the load generator) sends webhooks."""
        return f"http://127.0.0.1:{self.router_port}"

    @property
    def baseline_url(self) -> str:
        """The fixed-TwiML yardstick."""
        return f"http://127.0.0.1:{self.baseline_port}"

    def service_env(self, service: str) -> dict[str, str]:
        """Environment of one service process: its name, the backends, and the way to other services."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("TEST_", "LOADTEST_", "PYTEST"))}
        env.update({
            "SERVICE": service, "ENVIRONMENT": "test", "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url, "SERVICE_URL_TEMPLATE": self.router_url,
            "PUBLIC_BASE_URL": self.router_url, "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json",
            "LOCAL_DATA_DIR": str(self.run_dir / "data"), "PYTHONUNBUFFERED": "1",
            # Thousands of simulated callers on two demo clinics are the point here, not abuse.
            "VOICE_RATE_LIMIT_PER_CALLER": "1000000", "VOICE_RATE_LIMIT_PER_CLINIC": "1000000",
        })
        if not self.internal_hops_via_router:
            env["SERVICE_URLS"] = json.dumps({name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()})
        if self.with_workers and service == "messaging":
            env["SMS_SEND_MODE"] = "worker"
        if service in SERVICES:  # /metrics adds up every gunicorn worker, as in the cluster
            metrics_dir = self.run_dir / "metrics" / service
            metrics_dir.mkdir(parents=True, exist_ok=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def start_service(self, service: str) -> None:
        """Start (or restart) one service's gunicorn."""
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), *self.gunicorn.arguments(),
                   "-b", f"127.0.0.1:{self.ports[service]}", "services.wsgi:create_wsgi_app()"]
        self._spawn(service, command, self.service_env(service))

    def start(self, timeout: float = 90.0) -> None:
        """Start every process and wait until each answers."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        for service in SERVICES:
            self.start_service(service)
        if self.with_baseline:
            command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), *self.gunicorn.arguments(),
                       "-b", f"127.0.0.1:{self.baseline_port}", "tools.loadtest.baseline:create_app()"]
            self._spawn("baseline", command, self.service_env("baseline"))
        if self.with_workers:
            for name, module, service in WORKERS:
                self._spawn(name, [sys.executable, "-m", module], self.service_env(service))
        backends = [f"--backend={service}=127.0.0.1:{port}" for service, port in self.ports.items()]
        faults = ["--faults"] if self.router_faults else []
        self._spawn("router", [sys.executable, "-m", "tools.loadtest.router", "--port", str(self.router_port),
                               *backends, *faults], self.service_env("router"))
        self.wait_ready(timeout)

    def request_counts(self) -> dict[str, float]:
        """Requests each service has answered so far, by exposure of the route (twilio, internal, ...),
        read from every service's /metrics: internal / twilio is the internal hops per turn."""
        counts: dict[str, float] = {}
        for port in self.ports.values():
            text_ = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            for family in text_string_to_metric_families(text_):
                for sample in family.samples:
                    if sample.name != "http_requests_total":
                        continue
                    route = find_route(sample.labels.get("route", ""))
                    kind = route.exposure.value if route else "operations"
                    counts[kind] = counts.get(kind, 0.0) + sample.value
        return counts

    def start_floor(self, hops: float, timeout: float = 60.0) -> str:
        """Start the architecture's floor (tools/loadtest/floor.py): a front and enough links for `hops`
        internal calls per turn on average, same gunicorn settings, behind a router of its own; returns
        the router's URL."""
        links = math.ceil(hops)
        base = free_port_block(links + 2)
        ports = [base + 1 + index for index in range(links + 1)]
        for index, port in enumerate(ports):
            env = {**self.service_env("floor"), "FLOOR_HOPS": f"{hops:.4f}",
                   "FLOOR_NEXT": f"http://127.0.0.1:{ports[index + 1]}" if index < links else ""}
            command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), *self.gunicorn.arguments(),
                       "-b", f"127.0.0.1:{port}", "tools.loadtest.floor:create_app()"]
            self._spawn(f"floor-{index}", command, env)
        backends = [f"--backend={service}=127.0.0.1:{ports[0]}" for service in SERVICES]
        self._spawn("floor-router", [sys.executable, "-m", "tools.loadtest.router", "--port", str(base), *backends],
                    self.service_env("router"))
        urls = [f"http://127.0.0.1:{port}/readyz" for port in ports] + [f"http://127.0.0.1:{base}/readyz"]
        deadline = time.monotonic() + timeout
        while urls:
            try:
                if requests.get(urls[0], timeout=2).status_code == 200:
                    urls.pop(0)
                    continue
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the floor is not ready after {timeout:.0f} s ({urls[0]}); logs in {self.run_dir}")
            time.sleep(0.3)
        return f"http://127.0.0.1:{base}"

    def wait_ready(self, timeout: float = 90.0, services: tuple[str, ...] = SERVICES) -> None:
        """Wait until each service answers /readyz 200 through the router (and the baseline directly)."""
        deadline = time.monotonic() + timeout
        pending = set(services) | ({"baseline"} if self.with_baseline else set())
        while pending:
            for name in sorted(pending):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.run_dir / (name + '.log')}")
                url = f"{self.baseline_url}/readyz" if name == "baseline" else f"{self.router_url}/readyz"
                try:
                    if requests.get(url, headers={"X-Service": name}, timeout=2).status_code == 200:
                        pending.discard(name)
                except requests.RequestException:
                    pass
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(pending)}; logs in {self.run_dir}")
            if pending:
                time.sleep(0.3)

    def inject(self, faults: dict | None) -> None:
        """Set faults on the router (None clears them); needs router_faults=True."""
        if faults is None:
            requests.delete(f"{self.router_url}/__faults", timeout=5).raise_for_status()
        else:
            requests.post(f"{self.router_url}/__faults", json=faults, timeout=5).raise_for_status()

    def worker_pids(self, name: str) -> list[int]:
        """PIDs of a gunicorn's workers (children of its master)."""
        master = self.processes[name].pid
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == master:
                children.append(int(stat.parent.name))
        return children

    def stop_process(self, name: str, sig: int = signal.SIGTERM, wait: float = 10.0) -> None:
        """End one process we started (its own process group), killing it if it does not stop in time."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """End every process this deployment started."""
        for name in list(self.processes):
            self.stop_process(name)

    def flush_redis(self) -> None:
        """Empty the deployment's Redis database (sessions, caches, counters)."""
        client = redis.Redis.from_url(self.redis_url)
        client.flushdb()
        client.close()

    def __enter__(self) -> SplitDeployment:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
