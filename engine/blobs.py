"""File contents outside the database, addressed by their SHA-256: uploads and generated PDFs.
The same bytes are stored once, whoever sends them; the database holds metadata and the hash."""
from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import NotFound

_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` (a no-op when it is already there) and return its SHA-256 in hex."""

    def get(self, sha256: str) -> bytes:
        """The stored bytes; NotFound when nothing is stored under that hash."""

    def exists(self, sha256: str) -> bool:
        ...


class LocalBlobStore:
    """``<root>/ab/abcdef…``: written to a temporary file and renamed, so a reader never sees
    half a file and two writers of the same bytes cannot corrupt each other."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise NotFound(f"no stored file {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        path = self._path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        if not path.exists():
            raise NotFound(f"no stored file {sha256}")
        return path.read_bytes()

    def exists(self, sha256: str) -> bool:
        return _SHA256.fullmatch(sha256 or "") is not None and self._path(sha256).exists()


class S3BlobStore:
    """An S3-compatible bucket (AWS, MinIO, Ceph, a city's own object store), keys laid out as
    in :class:`LocalBlobStore` under an optional prefix. Every web machine sees the same files.

    ``url`` is ``http(s)://KEY:SECRET@host[:port]/bucket[/prefix][?region=R]``; key and secret
    URL-encoded. Path-style addressing, which every S3 clone understands."""

    def __init__(self, url: str) -> None:
        import boto3  # here, not at the top: only sites with S3 pay for importing boto3
        from botocore.config import Config

        parts = urlsplit(url)
        bucket, _, prefix = parts.path.lstrip("/").partition("/")
        if parts.scheme not in ("http", "https") or not parts.hostname or not bucket:
            raise ValueError("CIVICFLOW_S3_URL must look like https://KEY:SECRET@host:port/bucket[/prefix]")
        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        region = parse_qs(parts.query).get("region", ["us-east-1"])[0]
        endpoint = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        self.client = boto3.client(
            "s3", endpoint_url=endpoint, region_name=region,
            aws_access_key_id=unquote(parts.username or ""), aws_secret_access_key=unquote(parts.password or ""),
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))

    def _key(self, sha256: str) -> str:
        if not _SHA256.fullmatch(sha256 or ""):
            raise NotFound(f"no stored file {sha256!r}")
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):  # one PUT is atomic in S3: a reader never sees half an object
            self.client.put_object(Bucket=self.bucket, Key=self._key(sha), Body=data)
        return sha

    def get(self, sha256: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise NotFound(f"no stored file {sha256}") from None

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        if not _SHA256.fullmatch(sha256 or ""):
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


@functools.lru_cache(maxsize=8)
def _s3_store(url: str) -> S3BlobStore:
    """One client per URL for the process: building a boto3 client costs tens of milliseconds,
    and clients are thread-safe."""
    return S3BlobStore(url)


def blob_store(settings) -> BlobStore:
    """The store the settings name: the bucket of ``CIVICFLOW_S3_URL`` when it is set, else the
    instance folder's ``blobs/``."""
    if getattr(settings, "s3_url", None):
        return _s3_store(settings.s3_url)
    return LocalBlobStore(Path(settings.instance_path) / "blobs")
