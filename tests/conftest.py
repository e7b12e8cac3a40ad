"""Fixtures for every test layer: a migrated database (SQLite, or PostgreSQL when DATABASE_URL
says so), a container with a controllable clock, the Flask app and client, and API helpers."""
from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.bootstrap import Container
from engine.calendar.store import invalidate as invalidate_calendar
from engine.clock import FrozenClock
from engine.database import make_engine, make_session_factory, upgrade
from engine.models import Base
from engine.settings import Settings
from notifications import install as install_notifications
from notifications import models as _notification_tables  # noqa: F401  (wiped with the rest)

DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


def _guard_sockets() -> None:
    """Only loopback: a test that tries the network fails loudly."""
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise RuntimeError(f"network access in tests: {address!r}")
        return real_connect(self, address)

    socket.socket.connect = connect


_guard_sockets()


def _admin(url: str, statement: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


def _new_database(name: str) -> str:
    """An empty PostgreSQL database ``name`` (dropped first if a run before left it) on
    DATABASE_URL's server; returns its URL."""
    _admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(PG_URL, f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(url: str) -> None:
    _admin(PG_URL, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> Iterator[str]:
    """A freshly migrated database for this test session (for this worker, under xdist)."""
    if not ON_POSTGRES:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'civicflow.db'}"
        upgrade(url)
        yield url
        return
    # under xdist a database per worker, beside DATABASE_URL's: workers wipe theirs between tests
    url = PG_URL if worker_id == "master" else _new_database(f"{PG_URL.rsplit('/', 1)[1].split('?')[0]}_{worker_id}")
    _admin(url, "DROP SCHEMA public CASCADE")
    _admin(url, "CREATE SCHEMA public")
    upgrade(url)
    yield url
    if url != PG_URL:
        _drop_database(url)


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """A new, empty database of the same kind as the test database (not migrated)."""
    if not ON_POSTGRES:
        (tmp_path / "fresh").mkdir()
        yield f"sqlite:///{tmp_path / 'fresh' / 'civicflow.db'}"
        return
    url = _new_database(f"cf_fresh_{uuid.uuid4().hex[:8]}")
    yield url
    _drop_database(url)


@pytest.fixture(scope="session")
def db_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


SEEDED_TABLES = {"roles", "audit_head", "alembic_version", "calendar_days", "calendar_years"}


def _wipe(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in SEEDED_TABLES]
    with engine.begin() as conn:
        # back to the calendar as migrated: the official years only
        conn.execute(text("DELETE FROM calendar_days WHERE source <> 'official'"))
        conn.execute(text("DELETE FROM calendar_years WHERE year NOT IN (SELECT DISTINCT year FROM calendar_years"
                          " WHERE confirmed_at IS NULL AND status = 'confirmed')"))
        for name in tables:  # DELETE, not TRUNCATE … CASCADE, which would empty the seeded calendar too
            conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})  # every chain
    invalidate_calendar()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))  # Monday 10:00 in Shanghai


def wiped_container(db_engine, database_url: str, instance_path: Path, clock: FrozenClock) -> Container:
    """An emptied database behind a fresh container: the ``container`` fixture's, and a
    module-scoped fixture's that builds one world for many tests (the authorization matrix)."""
    _wipe(db_engine)
    settings = Settings(database_url=database_url, instance_path=instance_path, secret_key=uuid.uuid4().hex,
                        timezone="Asia/Shanghai", smtp_url=None, sms_url=None)
    return install_notifications(Container(settings=settings, engine=db_engine,
                                           session_factory=make_session_factory(db_engine), clock=clock))


@pytest.fixture
def container(db_engine, database_url, tmp_path, clock) -> Container:
    return wiped_container(db_engine, database_url, tmp_path, clock)


@pytest.fixture
def app(container):
    from webapp import create_app
    return create_app({"TESTING": True}, container=container)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
