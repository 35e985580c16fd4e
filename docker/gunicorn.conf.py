"""Gunicorn settings for one service in a container: threaded workers, temp files in memory.

The services spend most of a request waiting on other services, Postgres or Redis, so each worker
process runs a pool of threads (gthread) instead of one request at a time; no monkey-patching needed.
The heartbeat files live on /dev/shm so the root filesystem can be mounted read-only.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
worker_class = "gthread"
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
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = "*"
# Batch lookups carry their ids in the query string (GET /kb/doctors?ids=..., up to MAX_DOCTOR_IDS in
# shared/routes.py); gunicorn's default 4094-byte request line is too short for the longest of them.
limit_request_line = 8190
