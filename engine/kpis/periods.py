"""Reporting periods in local time (Asia/Shanghai by default): days, ISO weeks, months, or the
whole custom range, each cut to the requested dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

PERIODS = ("day", "week", "month", "range")
MAX_RANGE_DAYS = 3660   # ten years: longer ranges are a mistake, not a report
MAX_DAY_BUCKETS = 400   # a daily series longer than a year is unreadable; ask for weeks


@dataclass(frozen=True)
class Bucket:
    """One period: its label, its first and last local day, and the UTC instants it spans."""

    label: str
    first: date
    last: date
    start_at: datetime
    end_at: datetime  # exclusive


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz).astimezone(timezone.utc)


def _period_of(day: date, period: str, first: date, last: date) -> tuple[str, date, date]:
    if period == "day":
        return day.isoformat(), day, day
    if period == "week":
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    if period == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return f"{day.year}-{day.month:02d}", day.replace(day=1), following - timedelta(days=1)
    return f"{first.isoformat()}..{last.isoformat()}", first, last


def buckets(first: date, last: date, period: str, tz: ZoneInfo) -> list[Bucket]:
    """The periods covering ``first``..``last`` (both included), in order. A week or month that
    begins before ``first`` or ends after ``last`` is cut to the range; its label stays the
    whole period's (2026-W53, 2026-12)."""
    out: list[Bucket] = []
    day = first
    while day <= last:
        label, lo, hi = _period_of(day, period, first, last)
        lo, hi = max(lo, first), min(hi, last)
        out.append(Bucket(label, lo, hi, local_midnight(lo, tz), local_midnight(hi + timedelta(days=1), tz)))
        day = hi + timedelta(days=1)
    return out
