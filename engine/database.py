"""Engine and session factory for a database URL, and schema migration (``init-db``)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the settings each backend needs for concurrent writers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets readers work while a writer commits
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn):
            # Take the write lock at BEGIN: a read-then-write transaction can then never
            # fail half-way with "database is locked" when another writer got there first.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        # pysqlite's own transaction handling must be off for the BEGIN above to be ours.
        @event.listens_for(engine, "connect")
        def _sqlite_autocommit_off(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Apply every migration up to head (what ``civicflow init-db`` runs)."""
    command.upgrade(alembic_config(url), "head")
