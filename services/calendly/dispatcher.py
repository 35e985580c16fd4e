"""`python -m services.calendly.dispatcher`: delivers undelivered outbox notifications to messaging
(SQS in the cluster, a direct POST locally) until stopped; `--once` runs one pass."""

from __future__ import annotations

from services.calendly.outbox import dispatch_pending


def dispatch_once(deps) -> int:
    """One pass over the outbox with the service's publisher; returns how many were delivered."""
    settings = deps.settings
    return dispatch_pending(db_factory=deps.db, publisher=deps.publisher, limit=settings.outbox_batch_size,
                            retry_base_seconds=settings.outbox_retry_base_seconds,
                            retry_cap_seconds=settings.outbox_retry_cap_seconds)


def main(argv: list[str] | None = None) -> None:
    """Run the dispatcher loop."""
    from services.jobs import run_loop, service_dependencies

    deps = service_dependencies("calendly")
    run_loop("services.calendly.dispatcher", lambda: dispatch_once(deps), deps.settings.dispatcher_poll_seconds, argv)


if __name__ == "__main__":
    main()
