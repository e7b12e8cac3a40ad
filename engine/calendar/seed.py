"""Plain calendar data from the ``chinese_calendar`` and ``holidays`` packages.

Why two sources: ``chinese_calendar`` carries the official State Council
schedule (holidays *and* 调休 make-up working days) but only for years that
have been announced; ``holidays`` can compute the statutory festival dates for
any year, which is the best available guess for years not yet announced.
:class:`~engine.calendar.working_time.WorkCalendar` marks deadlines that rely
on the guess as provisional.

The output is plain dicts so it can be stored in the database, reviewed by an
administrator, or patched by a local override before building the calendar.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays

# Probe window for known_years(); generous so that newer package releases are found.
_PROBE_FIRST, _PROBE_LAST = 1990, 2100
_SUBSTITUTE_MARK = "调休"  # zh_CN label of swapped rest days: "休息日（由 2026-09-20 调休）"


def _official_is_workday(d: date) -> bool | None:
    """chinese_calendar's answer, or None when it has no data for the year."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return None


@lru_cache(maxsize=1)
def known_years() -> range:
    """Years for which ``chinese_calendar`` has official data (2004..2026 in 1.11.0).

    Detected by probing, not hard-coded, so upgrading the package extends it.
    """
    years = [y for y in range(_PROBE_FIRST, _PROBE_LAST + 1) if _official_is_workday(date(y, 6, 1)) is not None]
    if not years:
        raise RuntimeError("chinese_calendar reports no supported years")
    return range(years[0], years[-1] + 1)


def official_days(year: int) -> dict[date, bool]:
    """Days of ``year`` whose official status differs from the Mon-Fri rule.

    Weekday holidays map to False, weekend make-up working days (调休上班) to
    True.  Raises ``ValueError`` for a year chinese_calendar does not know.
    """
    if year not in known_years():
        span = known_years()
        raise ValueError(f"no official calendar data for {year}; chinese_calendar knows {span.start}..{span.stop - 1}")
    result: dict[date, bool] = {}
    d = date(year, 1, 1)
    while d.year == year:
        working = chinese_calendar.is_workday(d)
        if working != (d.weekday() < 5):
            result[d] = working
        d += timedelta(days=1)
    return result


def provisional_holidays(year: int) -> dict[date, str]:
    """Statutory rest days of ``year`` according to ``holidays`` (names in Chinese).

    Kept: the festival days themselves and their 补假 (a festival on a weekend
    is compensated on a working day by law).  Dropped: half-day holidays
    (other category) and 调休 swapped rest days, because their paired weekend
    make-up working day cannot be expressed here; dropping both keeps the
    number of working days right.
    """
    result: dict[date, str] = {}
    for d, name in holidays.country_holidays("CN", years=year, language="zh_CN").items():
        kept = [part for part in name.split("; ") if _SUBSTITUTE_MARK not in part]
        if kept:
            result[d] = "; ".join(kept)
    return dict(sorted(result.items()))
