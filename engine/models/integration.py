"""How cases meet the world outside their human tasks: external tasks that workers fetch and
lock, message and signal subscriptions of waiting cases, and the start events (message, signal,
timer) that create cases."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

EXTERNAL_TASK_STATES = ("open", "completed", "cancelled", "failed")


class ExternalTask(Base):
    """A service task with ``camunda:type="external"``: one row while its workflow task is READY.
    Workers fetch-and-lock by topic; an expired lock puts it back in the pool."""

    __tablename__ = "external_tasks"
    __table_args__ = (Index("ix_external_tasks_fetch", "topic", "state", "lock_expires_at"),
                      Index("ix_external_tasks_case_state", "case_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[int] = mapped_column(default=0)
    lock_owner: Mapped[str | None] = mapped_column(String(128))
    lock_expires_at: Mapped[datetime | None]
    retries: Mapped[int | None]  # None until a worker first reports a failure, as in Camunda
    failures: Mapped[int] = mapped_column(default=0)  # reported failures, across incident retries
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class EventSubscription(Base):
    """A case waiting for a message or a signal at one element (catch event, boundary event,
    receive task, event-based gateway branch). Kept in step with the workflow on every save."""

    __tablename__ = "event_subscriptions"
    __table_args__ = (Index("ix_event_subscriptions_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # message | signal
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ProcessStart(Base):
    """A start event that creates cases by itself: a message or signal start (by ``name``) or a
    timer start (``timer`` text, next due ``next_fire_at``). Rows belong to the latest version
    of a process; deploying a new version retires the old rows."""

    __tablename__ = "process_starts"
    __table_args__ = (Index("ix_process_starts_due", "kind", "state", "next_fire_at"),
                      Index("ix_process_starts_name", "kind", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    element_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # message | signal | timer
    name: Mapped[str | None] = mapped_column(String(200))
    timer: Mapped[str | None] = mapped_column(String(200))
    next_fire_at: Mapped[datetime | None]
    fires_left: Mapped[int | None]  # R3/… cycles count down; None: unbounded
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | retired | done
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
