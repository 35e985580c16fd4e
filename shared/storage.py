"""Object storage for audio and PDFs: S3 through boto3, or a local folder in local mode."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from botocore.exceptions import ClientError


class ObjectStore(Protocol):
    """Put and get immutable objects by key."""

    def put(self, key: str, data: bytes, content_type: str, cache_control: str | None = None) -> None:
        """Store bytes under a key."""

    def get(self, key: str) -> bytes | None:
        """The bytes under a key, or None."""

    def exists(self, key: str) -> bool:
        """Whether a key is stored."""

    def ping(self) -> None:
        """Raise unless the store is reachable."""


class S3ObjectStore:
    """Objects in one S3 bucket, encrypted at rest by the bucket's default (SSE-KMS in Terraform)."""

    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str, cache_control: str | None = None) -> None:
        """Upload an object."""
        extra = {"CacheControl": cache_control} if cache_control else {}
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra)

    def get(self, key: str) -> bytes | None:
        """Download an object, or None when it is missing."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def presigned_url(self, key: str, expires_seconds: int) -> str:
        """A time-limited GET URL for an object."""
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_seconds
        )

    def ping(self) -> None:
        """HEAD the bucket."""
        self.client.head_bucket(Bucket=self.bucket)


class LocalObjectStore:
    """Objects as files below a folder; writes are atomic (temp file then rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("object key escapes the storage folder")
        return path

    def put(self, key: str, data: bytes, content_type: str, cache_control: str | None = None) -> None:
        """Write a file atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes | None:
        """Read a file, or None."""
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return self._path(key).is_file()

    def ping(self) -> None:
        """Make sure the folder exists."""
        self.root.mkdir(parents=True, exist_ok=True)


def make_object_store(settings, s3_client=None) -> ObjectStore:
    """S3 when S3_BUCKET is set (or a client is given), else LOCAL_DATA_DIR/objects."""
    if settings.s3_bucket:
        if s3_client is None:
            import boto3

            s3_client = boto3.client("s3", region_name=settings.aws_region, endpoint_url=settings.s3_endpoint_url)
        return S3ObjectStore(s3_client, settings.s3_bucket)
    return LocalObjectStore(Path(settings.local_data_dir) / "objects")
