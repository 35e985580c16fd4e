"""Fixtures for knowledge_base tests: the whole system with S3 (moto) as object storage, an empty
clinic to upload into, and helpers to upload PDFs as clinic staff would."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws
from werkzeug.test import Client

from services.all_in_one import create_all_in_one
from services.knowledge_base.service import upsert_clinic
from shared.db import transaction
from shared.settings import LOCAL_ADMIN_TOKEN
from shared.storage import S3ObjectStore

BUCKET = "receptionist-documents-test"
LAKESIDE = {"slug": "lakeside", "name": "Lakeside Medical Group", "timezone": "America/New_York",
            "numbers": ["+16175550300"], "staff_number": "+16175550399", "slot_minutes": 30}


@pytest.fixture
def s3_client():
    """A moto S3 with the documents bucket."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


class KnowledgeBase:
    """The system in-process, reached as clinic staff (admin token) or as another service."""

    def __init__(self, app, s3_client):
        self.app = app
        self.http = Client(app)
        self.s3 = s3_client

    def upload(self, pdf: bytes, clinic: str = "lakeside", *, replace: bool | None = None,
               token: str | None = LOCAL_ADMIN_TOKEN, filename: str = "schedule.pdf"):
        """POST /kb/documents as multipart, like a browser form."""
        data: dict[str, Any] = {"file": (io.BytesIO(pdf), filename), "clinic": clinic}
        if replace is not None:
            data["replace"] = "true" if replace else "false"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post("/kb/documents", data=data, headers=headers, content_type="multipart/form-data")

    def get(self, path: str, token: str | None = None, **kwargs):
        """GET with the service token (or the admin token for admin routes)."""
        from shared.settings import LOCAL_INTERNAL_TOKEN

        headers = {"Authorization": f"Bearer {token or LOCAL_INTERNAL_TOKEN}"}
        return self.http.get(path, headers=headers, **kwargs)

    def doctors(self, clinic: str = "lakeside") -> list[dict[str, Any]]:
        """The clinic's active doctors."""
        return self.get(f"/kb/clinics/{clinic}/doctors").get_json()

    def documents(self, clinic: str = "lakeside") -> list[dict[str, Any]]:
        """The clinic's documents."""
        return self.get(f"/kb/clinics/{clinic}/documents", token=LOCAL_ADMIN_TOKEN).get_json()


@pytest.fixture
def make_kb(engine, database, demo_clinics, db_factory, settings_overrides, s3_client) -> Callable[..., KnowledgeBase]:
    """Build the system with optional settings overrides; demo clinics plus an empty Lakeside clinic."""
    with transaction(db_factory) as db:
        upsert_clinic(db=db, definition=LAKESIDE)

    def build(**overrides: Any) -> KnowledgeBase:
        app = create_all_in_one({**settings_overrides, "redis_url": None, **overrides}, engine=engine,
                                object_store=S3ObjectStore(s3_client, BUCKET))
        return KnowledgeBase(app, s3_client)

    return build


@pytest.fixture
def kb(make_kb) -> KnowledgeBase:
    """The system with default knowledge_base settings."""
    return make_kb()
