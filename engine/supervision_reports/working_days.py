"""How long a case has been open in working days, by the counting rule of time limits (the day
of receipt does not count; docs/kpis.md §3), on the deployment's work calendar."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ..calendar import WorkCalendar
from ..kpis.periods import local_midnight


def last_day(as_of: datetime, tz: ZoneInfo) -> date:
    """The local day a report's instant closes: the period's last day (``as_of`` is exclusive)."""
    return (as_of - timedelta(microseconds=1)).astimezone(tz).date()


def received_before(cal: WorkCalendar, tz: ZoneInfo, end: date, limit_wd: int) -> datetime:
    """The instant before which a case received has been open more than ``limit_wd`` working
    days on day ``end``: the start of the (limit_wd + 1)-th working day counted back from it."""
    day, found = end, 0
    while True:
        found += cal.is_working_day(day)
        if found > limit_wd:
            return local_midnight(day, tz)
        day -= timedelta(days=1)


def open_working_days(cal: WorkCalendar, tz: ZoneInfo, end: date) -> Callable[[datetime], int]:
    """``f(received_at)``: the working days after the local day of receipt up to ``end``
    (counted once per day of receipt: many cases share one)."""
    @lru_cache(maxsize=None)
    def after(day: date) -> int:
        total = 0
        while day < end:
            day += timedelta(days=1)
            total += cal.is_working_day(day)
        return total

    return lambda received_at: after(received_at.astimezone(tz).date())
