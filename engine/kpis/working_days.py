"""Working days between two local days, inside SQL, on the deployment's work calendar.

A day's working-day ordinal is the number of Mondays-to-Fridays up to it, corrected by the
calendar's exceptions (holidays on weekdays −1, 调休 working weekends +1) from the start of the
span onwards. The difference of two ordinals is the working days after the first day up to
and including the second: the counting rule of time limits (期间开始之日不计算在内). The
exceptions come from :class:`~engine.calendar.WorkCalendar`, so a provisional year counts
with the holidays it is expected to have, exactly as its deadlines do.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, literal, or_

from ..calendar import WorkCalendar

UNIX_EPOCH = date(1970, 1, 1)  # a Thursday: day number n is weekday (n + 3) % 7, Monday = 0


def day_number(day: date) -> int:
    return (day - UNIX_EPOCH).days


def _weekdays_through(n):
    monday_based = n + 3
    return 5 * (monday_based // 7) + case((monday_based % 7 >= 5, 5), else_=monday_based % 7 + 1)


def _exceptions(cal: WorkCalendar, first: date, last: date) -> list[tuple[int, int]]:
    """(day number, correction) of each day in first..last the calendar treats differently
    from the Monday-to-Friday rule."""
    out, day = [], first
    while day <= last:
        working = cal.is_working_day(day)
        if working != (day.weekday() < 5):
            out.append((day_number(day), 1 if working else -1))
        day += timedelta(days=1)
    return out


def ordinal(n, cal: WorkCalendar, first: date, last: date):
    """SQL: the working-day ordinal of day number ``n``, valid for days in first..last."""
    running, steps = 0, []
    for number, correction in _exceptions(cal, first, last):
        running += correction
        steps.append((number, running))
    if not steps:
        return _weekdays_through(n)
    corrections = case(*[(n >= number, total) for number, total in reversed(steps)], else_=0)
    return _weekdays_through(n) + corrections


def touches_provisional(start_n, end_n, cal: WorkCalendar, first: date, last: date):
    """SQL: true when the days from ``start_n`` to ``end_n`` reach into a year whose holidays
    are not confirmed (its working days may still change)."""
    years = [y for y in range(first.year, last.year + 1) if y not in cal.confirmed_years]
    if not years:
        return literal(False)
    return or_(*[and_(start_n <= day_number(date(y, 12, 31)), end_n >= day_number(date(y, 1, 1)))
                 for y in years])
