"""Deadlines and elapsed working time on a Chinese government work calendar.

Why plain data: the calendar is built from dicts and sets (see
:mod:`engine.calendar.seed` for the official sources) so it needs no database,
is cheap to test and can be rebuilt whenever the State Council publishes a new
year's holiday schedule.

Conventions
-----------
* Naive datetimes are interpreted in the calendar's ``tz``; aware ones are
  converted to it.  Deadlines are always aware and expressed in ``tz``.
* Natural units (``m``, ``h``, ``d``) are plain elapsed time: ``3d`` is
  exactly 72 hours later, whatever the calendar says.  Such a deadline never
  depends on holiday data, so it is never provisional.
* Working days (``Nwd``): the day of receipt is not counted
  (期间开始之日不计算在内).  The deadline is the close of the last working
  period (17:30 by default) of the Nth working day AFTER the start date,
  whatever the start time and even if the start date is a rest day.
* Working hours (``Nwh``) are counted only inside the working periods of
  working days, in wall-clock time.  A start outside a period begins at the
  next period's start.  A limit that ends exactly at a period's close has that
  close as its deadline (not the next period's start).  Example with the
  default periods: ``4wh`` from 16:00 = 1.5h today + 2.5h from 08:30 on the
  next working day = 11:00.
* A day is a working day if ``days`` says so (explicit override wins); else,
  in a confirmed year, Monday-Friday; else (unconfirmed year) Monday-Friday
  unless it is in ``provisional_holidays``.
* A deadline is *provisional* when any day from the start date to the
  deadline date lies in a year not in ``confirmed_years``: it may move once
  that year's official schedule (with its 调休 make-up days) is loaded.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .durations import Limit

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
_MAX_REST_RUN = 3660  # consecutive rest days before we assume the data is broken
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """When a limit runs out, and whether unconfirmed holiday data was used."""

    at: datetime
    provisional: bool
    provisional_years: frozenset[int]


class WorkCalendar:
    """Working days and working periods; see the module docstring for the rules."""

    def __init__(
        self,
        days: Mapping[date, bool] | None = None,
        confirmed_years: Iterable[int] | None = None,
        provisional_holidays: Mapping[date, str] | None = None,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        tz: ZoneInfo = DEFAULT_TZ,
    ) -> None:
        self.days: dict[date, bool] = dict(days or {})
        self.confirmed_years: frozenset[int] = frozenset(confirmed_years or ())
        self.provisional_holidays: dict[date, str] = dict(provisional_holidays or {})
        self.periods: tuple[tuple[time, time], ...] = _check_periods(periods)
        self.tz = tz

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day (override > confirmed Mon-Fri > provisional)."""
        if isinstance(d, datetime):
            d = d.date()
        override = self.days.get(d)
        if override is not None:
            return override
        if d.weekday() >= 5:
            return False
        return d.year in self.confirmed_years or d not in self.provisional_holidays

    def add(self, start: datetime, limit: Limit) -> Deadline:
        """Return the deadline of ``limit`` counted from ``start``."""
        local = self._local(start)
        if limit.is_natural:
            delta = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1),
                     "days": _ONE_DAY}[limit.unit] * limit.amount
            at = (local.astimezone(timezone.utc) + delta).astimezone(self.tz)
            return Deadline(at, False, frozenset())
        naive = local.replace(tzinfo=None)
        if limit.unit == "work_days":
            end = self._add_work_days(naive.date(), limit.amount)
        elif limit.unit == "work_hours":
            end = self._add_work_hours(naive, timedelta(hours=limit.amount))
        else:  # pragma: no cover - Limit validates its unit
            raise ValueError(f"unsupported unit {limit.unit!r}")
        years = frozenset(y for y in range(naive.year, end.year + 1) if y not in self.confirmed_years)
        return Deadline(end.replace(tzinfo=self.tz), bool(years), years)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """``start`` moved forward by ``amount`` of working time (for warnings at 80 % of a
        limit and for deadlines pushed back by a paused clock)."""
        naive = self._local(start).replace(tzinfo=None)
        return self._add_work_hours(naive, amount).replace(tzinfo=self.tz)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside the periods of working days between two instants.

        Zero if ``end`` is not after ``start``.  Used for traffic lights and for
        clocks that pause (suspension, 补正) and resume.
        """
        a = self._local(start).replace(tzinfo=None)
        b = self._local(end).replace(tzinfo=None)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for p_start, p_end in self.periods:
                    lo = max(a, datetime.combine(day, p_start))
                    hi = min(b, datetime.combine(day, p_end))
                    if hi > lo:
                        total += hi - lo
            day += _ONE_DAY
        return total

    # -- internals (wall-clock naive datetimes in self.tz) -------------------

    def _local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime, got {type(moment).__name__}")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def _next_working_day(self, day: date) -> date:
        for _ in range(_MAX_REST_RUN):
            day += _ONE_DAY
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within {_MAX_REST_RUN} days after {day}; check the calendar data")

    def _add_work_days(self, start_day: date, count: int) -> datetime:
        day = start_day
        for _ in range(count):
            day = self._next_working_day(day)
        return datetime.combine(day, self.periods[-1][1])

    def _add_work_hours(self, start: datetime, remaining: timedelta) -> datetime:
        day, cursor = start.date(), start
        if not self.is_working_day(day):
            day = self._next_working_day(day)
        while True:
            for p_start, p_end in self.periods:
                seg_start = max(cursor, datetime.combine(day, p_start))
                seg_end = datetime.combine(day, p_end)
                if seg_start >= seg_end:
                    continue
                if remaining <= seg_end - seg_start:
                    return seg_start + remaining
                remaining -= seg_end - seg_start
            day = self._next_working_day(day)
            cursor = datetime.combine(day, time(0))


def _check_periods(periods: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Periods must be non-empty, within one day, ascending and non-overlapping."""
    result = tuple((s, e) for s, e in periods)
    if not result:
        raise ValueError("a work calendar needs at least one working period")
    previous_end: time | None = None
    for s, e in result:
        if not s < e:
            raise ValueError(f"working period {s}-{e} must start before it ends (same day)")
        if previous_end is not None and s < previous_end:
            raise ValueError(f"working period {s}-{e} overlaps or precedes the previous one")
        previous_end = e
    return result
