"""What sign-in remembers beyond failures (LoginFailure): the addresses an account has signed in
from before (its usual addresses, which a lock on the account does not shut out) and the web
sessions, kept server-side so that signing out or disabling a user ends a stolen cookie too."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SignInAddress(Base):
    __tablename__ = "sign_in_addresses"
    __table_args__ = (UniqueConstraint("user_id", "remote_addr"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    remote_addr: Mapped[str] = mapped_column(String(64))
    last_at: Mapped[datetime]


class WebSession(Base):
    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "ended_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, in the signed session cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
