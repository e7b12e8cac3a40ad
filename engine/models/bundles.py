"""One-thing bundles (一件事) loaded from their folders: the checked definition as one JSON value,
versioned per key like diagrams, so every worker reads the same bundle from the database."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Bundle(Base):
    __tablename__ = "bundles"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    definition: Mapped[dict] = mapped_column(default=dict)
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    loaded_at: Mapped[datetime]
