"""A request's cohort: the periods asked for, and what each case adds to its row. Per-case facts
(engine/kpis/facts.py) are counted per group, period and combination of facts; the times to
completion are summed in hours and in working days on the work calendar as it stands now."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal

from ..calendar import WorkCalendar
from .facts import CASE_FLAGS
from .local_time import local_day_number
from .periods import Bucket
from .working_days import ordinal, touches_provisional

TIMES = ("provisional_days", "hours_to_complete", "working_days_to_complete")
SUMS = ("received", *CASE_FLAGS, *TIMES)
COMPLETED = 1 << CASE_FLAGS.index("completed")


@dataclass(frozen=True)
class Window:
    """The cases to read and how to place them: the periods of the received-at range, the time
    zone, the work calendar, the last local day a completion may fall on, the SQL dialect."""

    buckets: list[Bucket]
    tz: ZoneInfo
    calendar: WorkCalendar
    until: date
    dialect: str

    def bucket(self, created_at):
        """SQL: the index of the period a case was received in (the query keeps only the range)."""
        if len(self.buckets) == 1:
            return literal(0)
        return case(*[(created_at < b.end_at, i) for i, b in enumerate(self.buckets[:-1])],
                    else_=len(self.buckets) - 1)

    def day_number(self, at):
        """SQL: the local day number of the instant ``at``."""
        return local_day_number(at, self.dialect, self.tz, self.buckets[0].first, self.until)


def counted(window: Window, facts) -> list:
    """SQL aggregates over rows of ``facts`` (engine.kpis.facts.COLUMNS with ``received_day``
    and ``completed_day``) grouped by a key, the period and ``flags``: how many cases, and the
    TIMES summed."""
    first, last, cal = window.buckets[0].first, window.until, window.calendar
    received_n, completed_n = facts.c.received_day, facts.c.completed_day
    completed = facts.c.flags.bitwise_and(COMPLETED) != 0
    working_days = ordinal(completed_n, cal, first, last) - ordinal(received_n, cal, first, last)
    provisional = and_(completed, touches_provisional(received_n, completed_n, cal, first, last))
    return [func.count().label("cases"),
            func.sum(case((provisional, 1), else_=0)).label("provisional_days"),
            func.sum(facts.c.hours_to_complete).label("hours_to_complete"),
            func.sum(case((completed, working_days), else_=0)).label("working_days_to_complete")]


@lru_cache(maxsize=None)
def _facts_of(flags: int) -> tuple[str, ...]:
    return tuple(name for i, name in enumerate(CASE_FLAGS) if flags >> i & 1)


def add_counted(into: dict[str, float], row) -> None:
    """Add one result row of :func:`counted` to a KPI row's SUMS."""
    into["received"] += row.cases
    for name in _facts_of(row.flags):
        into[name] += row.cases
    for name in TIMES:
        into[name] += float(getattr(row, name) or 0)
