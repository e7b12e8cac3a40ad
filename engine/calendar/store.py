"""The calendar as the database holds it: official years seeded from chinese-calendar, rows
admins add or override, and provisional years computed from the `holidays` package."""
from __future__ import annotations

import threading
import time as _time
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CalendarDay, CalendarYear
from .seed import provisional_holidays
from .working_time import DEFAULT_PERIODS, WorkCalendar

CACHE_TTL_S = 60.0  # other processes see an admin's edit within a minute; this one at once
PROVISIONAL_YEARS_AHEAD = 3

_cache: dict[tuple, tuple[float, WorkCalendar]] = {}
_lock = threading.Lock()


def parse_periods(text: str | None) -> tuple[tuple[time, time], ...]:
    """``"08:30-12:00,14:00-17:30"`` → periods; empty means the default periods."""
    if not text:
        return DEFAULT_PERIODS
    out = []
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        out.append((time.fromisoformat(lo.strip()), time.fromisoformat(hi.strip())))
    return tuple(out)


def build_calendar(session: Session, periods=DEFAULT_PERIODS, tz=None) -> WorkCalendar:
    """Read the rows now (no cache): for services that change the calendar and recompute."""
    days = {row.day: row.working for row in session.scalars(select(CalendarDay))}
    years = {row.year: row.status for row in session.scalars(select(CalendarYear))}
    confirmed = {y for y, status in years.items() if status == "confirmed"}
    last_known = max(confirmed, default=2026)
    ahead: dict = {}
    for year in list(range(last_known + 1, last_known + 1 + PROVISIONAL_YEARS_AHEAD)) + \
            [y for y, status in years.items() if status != "confirmed"]:
        ahead.update(provisional_holidays(year))
    kwargs = {"tz": tz} if tz is not None else {}
    return WorkCalendar(days=days, confirmed_years=confirmed, provisional_holidays=ahead,
                        periods=periods, **kwargs)


def load_calendar(session: Session, periods=DEFAULT_PERIODS, tz=None) -> WorkCalendar:
    """The calendar, cached for CACHE_TTL_S per process."""
    key = (session.get_bind().url.render_as_string(hide_password=False), periods, str(tz))
    now = _time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_TTL_S:
        return hit[1]
    cal = build_calendar(session, periods, tz)
    with _lock:
        _cache[key] = (now, cal)
    return cal


def calendar_for(uow, fresh: bool = False) -> WorkCalendar:
    """The calendar with this deployment's working periods and time zone."""
    settings = uow.settings
    periods = parse_periods(settings.work_periods if settings else "")
    tz = ZoneInfo(settings.timezone) if settings else None
    return (build_calendar if fresh else load_calendar)(uow.session, periods, tz)


def invalidate() -> None:
    with _lock:
        _cache.clear()
