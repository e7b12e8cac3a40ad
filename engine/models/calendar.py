"""Working-day calendar rows (editable by admins) and the 12345 time-limit table."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CalendarDay(Base):
    """A day that differs from Monday–Friday: a holiday on a weekday or a 调休 working weekend."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(16), default="official")  # official | admin


class CalendarYear(Base):
    """A year is confirmed once its official 放假调休 schedule is in; until then it is provisional."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="provisional")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]


class TimeLimit(Base):
    """办理时限 by process × stage × category × urgency; empty category/urgency match any."""

    __tablename__ = "time_limits"
    __table_args__ = (UniqueConstraint("process_key", "stage", "category", "urgency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128))
    stage: Mapped[str] = mapped_column(String(128))  # a task's element id
    category: Mapped[str] = mapped_column(String(64), default="")
    urgency: Mapped[str] = mapped_column(String(16), default="")
    limit: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(200), default="")
