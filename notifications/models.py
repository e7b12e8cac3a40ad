"""The notifications tables: rules (which event notifies whom, how), the outbox of messages
to send, the in-app inbox, and per-user channel opt-outs. They live on the engine's metadata
(one schema, one migration history) but only notifications/ reads or writes them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base

ALL_PROCESSES = "*"


class NotificationRule(Base):
    """An admin's rule for one process (or ``*``); a process's own rules for an event replace
    the ``*`` ones, which replace the shipped defaults (notifications/rules.json)."""

    __tablename__ = "notification_rules"
    __table_args__ = (UniqueConstraint("process_key", "event", "message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), default=ALL_PROCESSES)
    event: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(64))  # a folder of notifications/templates
    recipients: Mapped[list] = mapped_column(default=list)  # requester, assignee, candidates, …
    channels: Mapped[list] = mapped_column(default=list)  # email, sms, inapp
    legal: Mapped[bool] = mapped_column(default=False)  # a legally required notice: no opting out
    active: Mapped[bool] = mapped_column(default=True)  # an inactive rule silences the event
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OutboxMessage(Base):
    """One message to one address on one channel, rendered when the state change happened and
    written in its transaction. ``key`` is sent to the channel so that a retry is recognised."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    # e-mail only: [{name, sha256, content_type}], files in the blob store sent as attachments
    attachments: Mapped[list | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class InAppNotification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class ChannelOptOut(Base):
    """A user who turned a channel off; legally required notices are sent regardless."""

    __tablename__ = "notification_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
