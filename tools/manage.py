"""Management commands: `python -m tools.manage migrate|load-demo`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sqlalchemy import Engine

from services.knowledge_base.settings import KnowledgeBaseSettings
from shared.db import make_engine, make_session_factory, migrate
from shared.log import configure_logging
from shared.storage import LocalObjectStore, make_object_store

log = logging.getLogger("manage")


def load_demo(settings: KnowledgeBaseSettings) -> list[str]:
    """Load the demo clinics, reading their doctors from the sample schedule PDFs."""
    from services.knowledge_base.ingest import UploadLimits
    from services.knowledge_base.service import load_demo_clinics

    engine = make_engine(settings.database_url)
    try:
        return load_demo_clinics(db=make_session_factory(engine), objects=make_object_store(settings),
                                 limits=UploadLimits(settings.max_upload_bytes, settings.max_pdf_pages))
    finally:
        engine.dispose()


def local_demo_database(folder: str | Path) -> tuple[str, Engine]:
    """A migrated SQLite database in `folder` with the demo clinics loaded (benchmarks, local tests)."""
    from services.knowledge_base.service import load_demo_clinics

    url = f"sqlite:///{Path(folder) / 'receptionist.db'}"
    migrate(url)
    engine = make_engine(url)
    load_demo_clinics(db=make_session_factory(engine), objects=LocalObjectStore(Path(folder) / "objects"))
    return url, engine


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("migrate", "load-demo"))
    args = parser.parse_args(argv)
    settings = KnowledgeBaseSettings()
    configure_logging("manage", settings.log_level, "text")
    if args.command == "migrate":
        migrate(settings.database_url)
        log.info("database migrated")
    else:
        log.info("loaded demo clinics: %s", ", ".join(load_demo(settings)))


if __name__ == "__main__":
    main()
