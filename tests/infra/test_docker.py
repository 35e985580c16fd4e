"""The Dockerfile and gunicorn settings: one image recipe, non-root, healthcheck, threaded workers
with their temp dir on /dev/shm, and a build context that carries only what the image needs."""

from __future__ import annotations

import runpy

from tests.infra.conftest import ROOT

DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()


def test_multi_stage_slim_python_non_root_with_healthcheck():
    stages = [line for line in DOCKERFILE.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and all("python:3.11-slim" in line for line in stages)
    assert "ARG SERVICE" in DOCKERFILE and "SERVICE=${SERVICE}" in DOCKERFILE
    assert "USER 10001:10001" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    assert '"services.wsgi:create_wsgi_app()"' in DOCKERFILE


def test_gunicorn_uses_threads_and_shm(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "12")
    settings = runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    assert settings["worker_tmp_dir"] == "/dev/shm"
    assert settings["control_socket_disable"] is True, "nothing may be written outside /tmp and /dev/shm"
    assert (settings["workers"], settings["threads"]) == (3, 12)
    assert settings["bind"] == "0.0.0.0:8080"
    assert settings["keepalive"] > 60, "outlive the ALB idle timeout"


def test_dockerignore_keeps_tests_and_secrets_out():
    rules = (ROOT / ".dockerignore").read_text().splitlines()
    assert rules[1] == "**", "everything is excluded first, then the image's inputs are let in"
    allowed = {rule[1:] for rule in rules if rule.startswith("!")}
    assert allowed == {"requirements.txt", "shared/**", "services/**", "tools/__init__.py", "tools/manage.py", "docker/gunicorn.conf.py"}
    copied = {line.split()[1].rstrip("/") for line in DOCKERFILE.splitlines() if line.startswith("COPY ") and "--from" not in line}
    assert copied <= {"requirements.txt", "shared", "services", "tools/__init__.py", "docker/gunicorn.conf.py"}
