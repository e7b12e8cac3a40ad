"""Due and warning times of a human task, from its diagram's ``camunda:dueDate`` / ``sla``."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from .calendar import WorkCalendar, known_years, official_days, parse_limit, provisional_holidays
from .candidates import expressions_in, substitute

WARN_FRACTION = 0.8  # the traffic light turns yellow at 80 % of the limit


@lru_cache(maxsize=1)
def package_calendar() -> WorkCalendar:
    """The calendar as the packages know it: official years from chinese-calendar, the next
    years provisionally from `holidays`. Admin-edited calendar rows replace this in the SLA work."""
    years = known_years()
    days: dict = {}
    for year in years:
        days.update(official_days(year))
    ahead: dict = {}
    for year in range(years.stop, years.stop + 3):
        ahead.update(provisional_holidays(year))
    return WorkCalendar(days=days, confirmed_years=set(years), provisional_holidays=ahead)


def due_times(due: str | None, start: datetime, evaluate,
              calendar: WorkCalendar | None = None) -> tuple[datetime | None, datetime | None]:
    """(due_at, warn_at) in UTC for a due text: a limit (``3wd``, ``4wh``, ``PT2H``, ``30m``), an
    ISO date-time, or ``${expression}`` yielding either. None when the task has no limit."""
    if not due:
        return None, None
    text = substitute(due, evaluate) if expressions_in(due) else due
    try:
        due_at = datetime.fromisoformat(text)
        if due_at.tzinfo is None:
            due_at = due_at.replace(tzinfo=(calendar or package_calendar()).tz)
    except ValueError:
        due_at = (calendar or package_calendar()).add(start, parse_limit(text)).at
    due_at = due_at.astimezone(timezone.utc)
    warn_at = start + (due_at - start) * WARN_FRACTION if due_at > start else due_at
    return due_at, warn_at
