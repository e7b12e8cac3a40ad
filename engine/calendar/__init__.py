"""Working calendar for time limits (办理时限): parse limits, compute deadlines.

See :mod:`engine.calendar.working_time` for the counting conventions.
"""
from .durations import Limit, Unit, parse_limit
from .seed import known_years, official_days, provisional_holidays
from .working_time import DEFAULT_PERIODS, DEFAULT_TZ, Deadline, WorkCalendar

__all__ = [
    "DEFAULT_PERIODS",
    "DEFAULT_TZ",
    "Deadline",
    "Limit",
    "Unit",
    "WorkCalendar",
    "known_years",
    "official_days",
    "parse_limit",
    "provisional_holidays",
]
