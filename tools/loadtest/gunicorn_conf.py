"""Gunicorn settings for the split deployment under load: with gevent workers, psycopg2 must yield to
the event loop too (psycogreen), or one slow query would stall every caller served by that worker;
and, as in the container (docker/gunicorn.conf.py), an exited worker's live gauges are dropped."""

from __future__ import annotations

import os


def post_fork(server, worker) -> None:
    """Make psycopg2 cooperative in gevent workers."""
    if "gevent" in type(worker).__module__:
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()


def child_exit(server, worker) -> None:
    """Drop the live gauges of a worker that exited (each run's metrics folder starts empty)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
