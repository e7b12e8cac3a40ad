"""平战切换: the log of switches between normal and emergency (command) mode, for the whole city
(no org unit) or one district. The mode in force for a scope is its latest switch."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

MODES = ("normal", "emergency")


class CommandModeSwitch(Base):
    __tablename__ = "command_mode_switches"
    __table_args__ = (Index("ix_command_mode_switches_scope", "scope_org_unit_id", "switched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))  # normal | emergency
    scope_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # None: the city
    reason: Mapped[str] = mapped_column(Text)
    switched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    switched_at: Mapped[datetime]
