"""Supervision (督办): escalations on the board of an org unit, and periodic report runs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

class SupervisionItem(Base):
    __tablename__ = "supervision_items"
    __table_args__ = (Index("ix_supervision_board", "org_unit_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    level: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class PeriodicRun(Base):
    """One row per (job, period): inserting it is what lets exactly one scheduler run the period."""

    __tablename__ = "periodic_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    ran_at: Mapped[datetime]
    result: Mapped[dict] = mapped_column(default=dict)
