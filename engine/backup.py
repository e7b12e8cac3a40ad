"""Backup and restore of one installation: the database and the blob folder, as one folder.

The database is copied first (SQLite's online backup API, a consistent snapshot while workers
write; pg_dump's custom format on PostgreSQL), the blobs second. Blobs are written before the
transaction that names them commits and are never changed, so every blob the database copy
refers to is on disk by the time the folder is copied. Blobs in an S3 bucket are the bucket's
to keep (versioning or replication); the manifest says so.

Restore goes into an empty database only (never over live data), copies the blobs back and
brings the schema up to date, so a backup taken by an older release restores into a newer one.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from .database import make_engine, upgrade
from .errors import Conflict, InvalidInput

MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite"
PG_COPY = "database.pgdump"


def _libpq_url(url: str) -> str:
    """pg_dump and pg_restore want postgresql://…, not SQLAlchemy's postgresql+psycopg://…"""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def _copy_database(url: str, target: Path) -> str:
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target / SQLITE_COPY)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
        return SQLITE_COPY
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target / PG_COPY}",
          f"--dbname={_libpq_url(url)}"])
    return PG_COPY


def _copy_blobs(source: Path, target: Path) -> int:
    """Every blob file below ``source`` into ``target`` (kept if already there: same name, same
    bytes); how many there are."""
    count = 0
    for path in sorted(source.rglob("*")) if source.exists() else []:
        if path.is_file():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                shutil.copy2(path, dest)
            count += 1
    return count


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise Conflict(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def backup(settings, target: Path) -> dict:
    """Write the installation's backup into the folder ``target`` (created; it must be empty)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise InvalidInput("the backup folder is not empty", fields={"target": ["an empty or new folder"]})
    target.mkdir(parents=True, exist_ok=True)
    database = _copy_database(settings.database_url, target)
    in_bucket = bool(getattr(settings, "s3_url", None))
    blobs = 0 if in_bucket else _copy_blobs(Path(settings.instance_path) / "blobs", target / "blobs")
    manifest = {"created_at": datetime.now(timezone.utc).isoformat(), "database": database,
                "dialect": "sqlite" if database == SQLITE_COPY else "postgresql",
                "blobs": "in the S3 bucket (not copied)" if in_bucket else blobs}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _empty(url: str) -> bool:
    if url.startswith("sqlite") and not _sqlite_path(url).exists():
        return True
    engine = make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(settings, source: Path) -> dict:
    """Restore the backup in ``source`` into the configured database, which must be empty, and
    its blobs into the instance folder; then migrate the schema to this release's."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput("not a CivicFlow backup folder", fields={"source": [f"no readable {MANIFEST}"]}) from None
    url = settings.database_url
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    if manifest.get("dialect") != dialect:
        raise InvalidInput(f"a {manifest.get('dialect')} backup cannot restore into {dialect}",
                           fields={"source": [f"a {dialect} backup"]})
    if not _empty(url):
        raise Conflict("the database is not empty: restore goes into a new, empty database only")
    if dialect == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / SQLITE_COPY, path)
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={_libpq_url(url)}",
              str(source / PG_COPY)])
    blobs = _copy_blobs(source / "blobs", Path(settings.instance_path) / "blobs")
    upgrade(url)
    return {"database": manifest["database"], "blobs": blobs}
