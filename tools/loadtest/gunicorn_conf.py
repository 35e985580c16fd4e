"""Gunicorn settings for the split deployment under load: with gevent workers, psycopg2 must yield to
the event loop too (psycogreen), or one slow query would stall every caller served by that worker."""

from __future__ import annotations


def post_fork(server, worker) -> None:
    """Make psycopg2 cooperative in gevent workers."""
    if "gevent" in type(worker).__module__:
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()
