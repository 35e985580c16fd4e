"""Local mode as a newcomer runs it: migrations on SQLite, then `make run` and `make call` for real
(gunicorn serving all eight services on a port, the terminal phone booking over HTTP)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import inspect

from shared.db import make_engine, migrate
from tests.timing import next_weekday_at, spoken_day

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_migrations_create_every_table_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path}/local.db"
    migrate(url)
    tables = set(inspect(make_engine(url)).get_table_names())
    assert {"clinics", "clinic_numbers", "doctors", "documents", "appointments", "notification_outbox", "calls",
            "sms_messages"} <= tables


def test_make_run_then_make_call_books_and_prints_the_sms(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/local.db", "LOCAL_DATA_DIR": str(tmp_path),
           "PORT": str(port)}
    for name in ("REDIS_URL", "S3_BUCKET", "SERVICE"):
        env.pop(name, None)
    for command in ("migrate", "load-demo"):
        subprocess.run([sys.executable, "-m", "tools.manage", command], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{port}",
         "services.wsgi:create_wsgi_app()"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30  # a start-up wait, not an assertion
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        script = f"1|1|{spoken_day(next_weekday_at(10))}|Jane Doe|12 Main Street Boston|1"
        phone = subprocess.run(
            [sys.executable, "-m", "tools.phone", "--url", f"http://127.0.0.1:{port}", "--script", script],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
        assert phone.returncode == 0, phone.stderr
        assert "You're booked with Dr. Sarah Chen" in phone.stdout
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "SMS outbox: to +16175550123" in output
    assert "your appointment with Dr. Sarah Chen at Riverside Family Clinic is confirmed" in output
