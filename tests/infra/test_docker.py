"""The Dockerfile and gunicorn settings: one image for every service from the hashed lock, on a base
pinned by digest, non-root, healthcheck, threaded workers with their temp dir on /dev/shm and their
metrics gathered in one folder, and a build context that carries only what the image needs."""

from __future__ import annotations

import re
import runpy
from types import SimpleNamespace

from tests.infra.conftest import ROOT

DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()


def test_multi_stage_slim_python_pinned_by_digest_non_root_with_healthcheck():
    stages = [line for line in DOCKERFILE.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and all(re.match(r"FROM python:3\.11-slim\S*@sha256:[0-9a-f]{64} AS ", line)
                                    for line in stages)
    assert len({line.split()[1] for line in stages}) == 1, "both stages on the same base"
    assert "USER 10001:10001" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    assert '"services.wsgi:create_wsgi_app()"' in DOCKERFILE


def test_one_image_for_every_service_from_the_hashed_lock():
    assert not re.search(r"(?m)^(ARG|ENV)\b.*\bSERVICE\b", DOCKERFILE), \
        "the service is chosen at run time by each Deployment, not baked into the image"
    assert "--require-hashes -r requirements.txt" in DOCKERFILE
    assert all("--hash=sha256:" in block for block in _requirements("requirements.txt"))


def _requirements(name: str) -> list[str]:
    """Each pinned requirement of a lock file with its continuation lines."""
    text = (ROOT / name).read_text()
    return [block for block in re.split(r"\n(?=\S)", text) if block and not block.startswith("#")]


def test_lock_files_pin_every_package_with_hashes():
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-infra.txt", "requirements-uv.txt"):
        blocks = _requirements(name)
        assert blocks, name
        for block in blocks:
            assert re.match(r"[A-Za-z0-9_.\-\[\],]+==\S+", block) and "--hash=sha256:" in block, f"{name}: {block[:80]}"


def test_gunicorn_uses_threads_and_shm(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "12")
    settings = runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))
    from gunicorn.util import load_class
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(load_class(settings["worker_class"]), ThreadWorker)
    assert settings["worker_tmp_dir"] == "/dev/shm"
    assert settings["control_socket_disable"] is True, "nothing may be written outside /tmp and /dev/shm"
    assert (settings["workers"], settings["threads"]) == (3, 12)
    assert settings["bind"] == "0.0.0.0:8080"
    assert settings["keepalive"] > 60, "outlive the ALB idle timeout"


def test_gunicorn_empties_the_metrics_folder_at_start_and_forgets_exited_workers(monkeypatch, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1234.db").write_bytes(b"left over from before a restart")
    (folder / "stale").mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    hooks = runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))
    hooks["on_starting"](None)
    assert list(folder.iterdir()) == []
    for name in ("gauge_livemax_77.db", "gauge_livemax_78.db", "counter_77.db"):
        (folder / name).write_bytes(b"")
    hooks["child_exit"](None, SimpleNamespace(pid=77))
    assert sorted(p.name for p in folder.iterdir()) == ["counter_77.db", "gauge_livemax_78.db"], \
        "an exited worker's live gauges go; its counters stay in the totals"


def test_dockerignore_keeps_tests_and_secrets_out():
    rules = (ROOT / ".dockerignore").read_text().splitlines()
    assert rules[1] == "**", "everything is excluded first, then the image's inputs are let in"
    allowed = {rule[1:] for rule in rules if rule.startswith("!")}
    assert allowed == {"requirements.txt", "shared/**", "services/**", "tools/__init__.py", "tools/manage.py",
                       "docker/gunicorn.conf.py"}
    copied = {line.split()[1].rstrip("/") for line in DOCKERFILE.splitlines()
              if line.startswith("COPY ") and "--from" not in line}
    assert copied <= {"requirements.txt", "shared", "services", "tools/__init__.py", "docker/gunicorn.conf.py"}
