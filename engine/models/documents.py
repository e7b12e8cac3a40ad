"""Generated documents (PDF notices and decisions) issued on a case."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Document(Base):
    """A document as issued: the template and a JSON snapshot of what it says, so that it reads
    the same whenever it is rendered. ``sha256`` names the rendered PDF in the blob store once
    it has been rendered (on first download); until then it is null."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # guide | form | result | approval | revocation …
    template: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")
    title: Mapped[str] = mapped_column(String(300))
    context: Mapped[dict] = mapped_column(default=dict)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    rendered_at: Mapped[datetime | None]
