"""Gunicorn settings for one service in a container: threaded workers, temp files in memory, and
Prometheus metrics gathered from every worker.

The services spend most of a request waiting on other services, Postgres or Redis, so each worker
process runs a pool of threads (gthread, in shared/gunicorn_worker.py) instead of one request at a time;
no monkey-patching needed.
The heartbeat files live on /dev/shm so the root filesystem can be mounted read-only.

With PROMETHEUS_MULTIPROC_DIR set (an emptyDir in the cluster), each worker writes its metrics there
and /metrics adds them up, so a scrape sees the whole pod and not the one worker that answered. The
folder is emptied when the master starts (a restarted container would otherwise count its previous
life's workers twice), and a worker that exits has its live gauges removed.
"""

import os
import shutil
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
# gthread, with gunicorn's own refusals (request line too long, bad header) answered as JSON.
worker_class = "shared.gunicorn_worker.JsonErrorWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
worker_tmp_dir = "/dev/shm"
# Gunicorn's control socket would be created under $HOME, which does not exist and is read-only;
# Kubernetes manages the processes instead.
control_socket_disable = True
timeout = 30
graceful_timeout = 25
# Longer than the ALB's 60 s idle timeout, so the ALB closes idle connections first (no 502s).
keepalive = 75
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# Gunicorn's lines as JSON through the services' redaction; access lines without query strings.
logger_class = "shared.log.GunicornLogger"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# X-Forwarded-* headers only from the configured proxies (the ALB's addresses; Twilio signatures are
# checked against PUBLIC_BASE_URL regardless, which production requires).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Batch lookups carry their ids in the query string (GET /kb/doctors?ids=..., up to MAX_DOCTOR_IDS in
# shared/routes.py); gunicorn's default 4094-byte request line is too short for the longest of them.
limit_request_line = 8190


def on_starting(server) -> None:
    """Start with an empty metrics folder: files of processes from before a restart must not count."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for entry in path.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_exit(server, worker) -> None:
    """Drop the live gauges of a worker that exited (max_requests, crash or shutdown)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
