"""Deployed process definitions: immutable once stored, versioned per key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ProcessDefinition(Base):
    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    # Deferred: a running case needs them only when its spec is not parsed in this process yet.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    # Decision tables deployed with the diagram, as a list of XML texts.
    dmn_xml: Mapped[list] = mapped_column(default=list, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    # What the API shows without re-parsing: tasks, start form.
    summary: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime]
