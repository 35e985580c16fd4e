"""Management commands: `python -m tools.manage migrate|load-demo`."""

from __future__ import annotations

import argparse
import logging

from shared.db import make_engine, make_session_factory, migrate, transaction
from shared.log import configure_logging
from shared.settings import CommonSettings

log = logging.getLogger("manage")


def load_demo(settings: CommonSettings) -> list[str]:
    """Load the demo clinics and doctors into the database."""
    from services.knowledge_base.service import load_demo_clinics

    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            return load_demo_clinics(db=db)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("migrate", "load-demo"))
    args = parser.parse_args(argv)
    settings = CommonSettings()
    configure_logging("manage", settings.log_level, "text")
    if args.command == "migrate":
        migrate(settings.database_url)
        log.info("database migrated")
    else:
        log.info("loaded demo clinics: %s", ", ".join(load_demo(settings)))


if __name__ == "__main__":
    main()
