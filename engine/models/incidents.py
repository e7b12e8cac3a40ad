"""Incidents: whatever stopped a case by itself, kept until an admin retries or resolves it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

INCIDENT_KINDS = ("script", "expression", "decision", "external-task", "bpmn-error", "timer", "call-activity")


class Incident(Base):
    """Camunda Cockpit's incident: the element that failed, why, and how often it was tried.
    Open while ``resolved_at`` is null; a running case with nothing else to wait on has one."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_case_open", "case_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    element_id: Mapped[str] = mapped_column(String(128))
    spiff_task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    external_task_id: Mapped[int | None] = mapped_column(ForeignKey("external_tasks.id", ondelete="SET NULL"))
    timer_id: Mapped[int | None] = mapped_column(ForeignKey("timers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(16))  # retried | resolved | closed
    reason: Mapped[str | None] = mapped_column(Text)
