"""Command-line jobs (outbox dispatcher, messaging worker, reminders, retention) run with a service's own
dependency bundle: its app alone in the cluster, or inside the all-in-one system in local mode, where
services call each other in-process."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from shared import metrics
from shared.error_reporting import init_sentry
from shared.log import configure_logging
from shared.settings import CommonSettings

log = logging.getLogger(__name__)


def service_dependencies(service: str) -> Any:
    """The dependency bundle a service's create_app builds (settings from the environment)."""
    if CommonSettings().service_url_template:
        app = importlib.import_module(f"services.{service}").create_app()
    else:
        from services.all_in_one import create_all_in_one

        app = create_all_in_one().apps[service]
    return app.extensions["receptionist"]


def run_loop(name: str, one_pass: Callable[[], int], poll_seconds: float, argv: list[str] | None = None) -> None:
    """Run `one_pass` once (--once) or until SIGTERM/SIGINT, pausing when a pass found nothing to do;
    a long-running loop serves /metrics on METRICS_PORT when it is set."""
    parser = argparse.ArgumentParser(prog=f"python -m {name}")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    args = parser.parse_args(argv)
    settings = CommonSettings()
    configure_logging(name, settings.log_level, settings.log_format)
    init_sentry(settings)
    stop = threading.Event()
    if not args.once:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        if settings.metrics_port:
            metrics.serve_worker_metrics(settings.metrics_port)
    while True:
        started = time.monotonic()
        try:
            done = one_pass()
        except Exception:  # noqa: BLE001 - a failed pass is logged; the next one tries again
            log.exception("%s pass failed", name)
            done = 0
        if args.once or stop.is_set():
            return
        if not done:
            stop.wait(max(0.0, poll_seconds - (time.monotonic() - started)))
        if stop.is_set():
            return


def start_local_jobs(system, poll_seconds: float = 5.0, reminder_seconds: float = 60.0,
                     retention_seconds: float = 3600.0) -> threading.Thread:
    """Local mode (`make run`): the dispatcher, the messaging worker, reminders and retention in one daemon thread."""
    from services.calendly import retention as calendly_retention
    from services.calendly.dispatcher import dispatch_once
    from services.calendly.reminders import run_reminders
    from services.messaging import retention as messaging_retention
    from services.messaging.worker import work_once
    from shared.clock import SYSTEM_CLOCK

    calendly = system.apps["calendly"].extensions["receptionist"]
    messaging = system.apps["messaging"].extensions["receptionist"]

    def loop() -> None:
        next_reminders = next_retention = 0.0
        while True:
            jobs: list[tuple[str, Callable[[], Any]]] = [("dispatcher", lambda: dispatch_once(calendly)),
                                                         ("sms worker", lambda: work_once(messaging))]
            if time.monotonic() >= next_reminders:
                jobs.append(("reminders", lambda: run_reminders(calendly)))
                next_reminders = time.monotonic() + reminder_seconds
            if time.monotonic() >= next_retention:
                jobs += [("text retention", lambda: messaging_retention.run_retention(messaging, SYSTEM_CLOCK.now())),
                         ("code retention", lambda: calendly_retention.run_retention(calendly, SYSTEM_CLOCK.now()))]
                next_retention = time.monotonic() + retention_seconds
            for name, job in jobs:
                try:
                    job()
                except Exception:  # noqa: BLE001 - logged; the next pass tries again
                    log.exception("local %s pass failed", name)
            time.sleep(poll_seconds)

    thread = threading.Thread(target=loop, name="local-jobs", daemon=True)
    thread.start()
    return thread
