"""Databases stopped at an earlier migration, for tests of what a later one does to rows
already there."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from alembic import command
from sqlalchemy import Engine, create_engine, text

from engine.database import alembic_config


@contextmanager
def database_at(url: str, revision: str) -> Iterator[tuple[Engine, Callable[[], None]]]:
    """An engine on a fresh database migrated to ``revision``, and the call that migrates it on
    to the newest revision."""
    config = alembic_config(url)
    command.upgrade(config, revision)
    engine = create_engine(url)
    try:
        yield engine, lambda: command.upgrade(config, "head")
    finally:
        engine.dispose()


def insert_definition(conn) -> None:
    """Process definition 1 (key ``p``), which case rows need."""
    conn.execute(text("INSERT INTO process_definitions (id, key, version, name, bpmn_xml, dmn_xml, checksum,"
                      " summary, status, deployed_at) VALUES (1, 'p', 1, 'P', '', '[]', 'x', '{}', 'active',"
                      " '2026-12-01 00:00:00')"))
