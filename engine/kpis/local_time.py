"""The two pieces of date arithmetic the KPI query needs inside SQL, for SQLite and PostgreSQL:
an instant's local day number and the seconds between two instants."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, cast, func, literal

UNIX_EPOCH = date(1970, 1, 1)
UNIX_EPOCH_JULIAN_DAY = 2440587.5


def local_day_number(column, dialect: str, tz: ZoneInfo, at: datetime):
    """Days since 1970-01-01 of the local date of ``column``. PostgreSQL applies the zone's own
    rules; SQLite has no zone data and uses the zone's offset at ``at`` (exact for Asia/Shanghai,
    which has kept +08:00 since 1991)."""
    if dialect == "postgresql":  # date arithmetic: integers, where epoch seconds are numeric
        return cast(func.timezone(tz.key, column), Date) - literal(UNIX_EPOCH, Date)
    offset_s = int(tz.utcoffset(at.replace(tzinfo=None)).total_seconds())
    return cast(func.julianday(column, f"{offset_s:+d} seconds") - UNIX_EPOCH_JULIAN_DAY, Integer)


def seconds_between(later, earlier, dialect: str):
    """Elapsed seconds from ``earlier`` to ``later`` (a float)."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0
