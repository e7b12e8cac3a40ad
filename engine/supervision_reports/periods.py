"""The periods of the supervision reports: 日报 (a local day), 周报 (an ISO week, Monday to
Sunday) and 月报 (a calendar month), in the deployment's time zone, named as the KPIs name
them (2026-11-23, 2026-W48, 2026-11)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import InvalidInput, NotFound
from ..kpis.periods import local_midnight

KINDS = ("daily", "weekly", "monthly")
KPI_PERIOD = {"daily": "day", "weekly": "week", "monthly": "month"}
NAMES = {"daily": ("日报", "Daily report"), "weekly": ("周报", "Weekly report"), "monthly": ("月报", "Monthly report")}
_FORMS = {"daily": (re.compile(r"\d{4}-\d{2}-\d{2}"), "a day such as 2026-11-23"),
          "weekly": (re.compile(r"(\d{4})-W(\d{2})"), "an ISO week such as 2026-W48"),
          "monthly": (re.compile(r"(\d{4})-(\d{2})"), "a month such as 2026-11")}


@dataclass(frozen=True)
class ReportPeriod:
    """One report's period: its first and last local day and the UTC instants it spans."""

    kind: str
    key: str
    first: date
    last: date
    start_at: datetime
    end_at: datetime  # exclusive: the next period's start

    @property
    def job(self) -> str:
        """The PeriodicRun job that runs this kind of report once per period."""
        return f"supervision-{self.kind}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def shifted(self, steps: int, tz: ZoneInfo) -> ReportPeriod:
        """The period ``steps`` before (negative) or after this one."""
        period = self
        for _ in range(abs(steps)):
            day = period.first - timedelta(days=1) if steps < 0 else period.last + timedelta(days=1)
            period = period_containing(self.kind, day, tz)
        return period


def _bounds(kind: str, day: date) -> tuple[date, date]:
    if kind == "daily":
        return day, day
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day.replace(day=1), following - timedelta(days=1)


def _key(kind: str, first: date) -> str:
    if kind == "daily":
        return first.isoformat()
    if kind == "weekly":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first.year}-{first.month:02d}"


def period_containing(kind: str, day: date, tz: ZoneInfo) -> ReportPeriod:
    first, last = _bounds(kind, day)
    return ReportPeriod(kind, _key(kind, first), first, last, local_midnight(first, tz),
                        local_midnight(last + timedelta(days=1), tz))


def _first_day(kind: str, key: str) -> date:
    form, example = _FORMS[kind]
    match = form.fullmatch(key or "")
    try:
        if match is None:
            raise ValueError(key)
        if kind == "daily":
            return date.fromisoformat(key)
        if kind == "weekly":
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidInput(f"the period is not {example}", fields={"period": [example]}) from None


def parse_period(kind: str, key: str, now: datetime, tz: ZoneInfo) -> ReportPeriod:
    """The period ``key`` of report ``kind``: NotFound naming ``kind`` for an unknown kind,
    InvalidInput naming ``period`` for a malformed key or a period that has not begun."""
    if kind not in KINDS:
        raise NotFound("no such kind of report", fields={"kind": [f"one of {', '.join(KINDS)}"]})
    period = period_containing(kind, _first_day(kind, key), tz)
    if period.start_at > now:
        raise InvalidInput("the period has not begun yet", fields={"period": ["a period that has begun"]})
    return period


def last_complete(kind: str, now: datetime, tz: ZoneInfo) -> ReportPeriod:
    """The most recent whole day, ISO week or month before ``now``."""
    current = period_containing(kind, now.astimezone(tz).date(), tz)
    return current.shifted(-1, tz)
