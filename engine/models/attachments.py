"""Uploaded files: the metadata of a stored blob, and its links to the cases that use it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Attachment(Base):
    """One upload. The id is random (uuid4 hex) so that knowing one id tells nothing about
    another; the bytes live in the blob store under ``sha256``. ``lat``/``lng`` are kept only
    when the upload was for a form field that asks for a location (``keep_location``)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    created_at: Mapped[datetime]


class CaseAttachment(Base):
    """An attachment used by a case: in a form field, as a bundle material, or both. A citizen
    may reuse one upload in a later case, so an attachment may have several links."""

    __tablename__ = "case_attachments"
    __table_args__ = (
        Index("ix_case_attachments_case", "case_id", "attachment_id"),
        Index("ix_case_attachments_attachment", "attachment_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    attachment_id: Mapped[str] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    field: Mapped[str | None] = mapped_column(String(128))
    material_code: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
