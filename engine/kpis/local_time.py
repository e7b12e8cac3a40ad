"""The two pieces of date arithmetic the KPI query needs inside SQL, for SQLite and PostgreSQL:
an instant's local day number and the seconds between two instants."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Interval, case, cast, func, literal

from ..models.base import UTCDateTime

UNIX_EPOCH = date(1970, 1, 1)
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def local_day_number(column, dialect: str, tz: ZoneInfo, first: date, last: date):
    """Days since 1970-01-01 of the local date of ``column``, an instant on one of the local
    days ``first``..``last``: the instant plus the zone's UTC offset at that instant. The
    offsets are the zone's own rules, read here: SQLite has no zone data, and PostgreSQL's
    timezone(name, …) looks the zone up again for every row (about a quarter of a month's KPI
    query, bench/RESULTS.md), where adding an interval costs next to nothing."""
    shift = _by_instant(column, [(at, f"{seconds:+d} seconds") for at, seconds in _offsets(tz, first, last)])
    if dialect == "postgresql":  # date arithmetic: integers, where epoch seconds are numeric
        return cast(func.timezone(cast(shift, Interval), column), Date) - literal(UNIX_EPOCH, Date)
    return cast(func.julianday(column, shift) - UNIX_EPOCH_JULIAN_DAY, Integer)


def _by_instant(column, values: list[tuple[datetime | None, str]]):
    """SQL: the value of the last (from, value) whose ``from`` the instant has reached. The
    values are written into the statement: PostgreSQL runs a statement psycopg has prepared
    (its fifth run on a connection) with a generic plan, which would cast a parameter to an
    interval again for every row."""
    def value(text: str):
        return literal(text, literal_execute=True)

    if len(values) == 1:
        return value(values[0][1])
    return case(*[(column >= literal(at, UTCDateTime()), value(text)) for at, text in reversed(values[1:])],
                else_=value(values[0][1]))


@lru_cache(maxsize=256)
def _offsets(tz: ZoneInfo, first: date, last: date) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offsets (seconds) over the local days first..last, each with the UTC
    instant it starts at (None for the first): one, unless the zone changes its clocks."""
    def offset(at: datetime) -> int:
        return int(at.astimezone(tz).utcoffset().total_seconds())

    midnight = datetime.combine(first, time(0), tz).astimezone(timezone.utc)
    out: list[tuple[datetime | None, int]] = [(None, offset(midnight))]
    for _ in range((last - first).days + 1):
        following = midnight + timedelta(days=1)
        if offset(following) != out[-1][1]:  # a change in this day: find its second
            lo, hi = 0, 86_400
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(midnight + timedelta(seconds=mid)) == out[-1][1] else (lo, mid)
            out.append((midnight + timedelta(seconds=hi), offset(following)))
        midnight = following
    return out


def seconds_between(later, earlier, dialect: str):
    """Elapsed seconds from ``earlier`` to ``later`` (a float)."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0
