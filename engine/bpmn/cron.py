"""Quartz cron, as Camunda writes a ``timeCycle``: seconds, minutes, hours, day of month, month,
day of week and an optional year (``0 0 9 * * ?`` = every day at 9:00). One definition for the
upload check and for the timer-start sweep; croniter computes the occurrences."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from croniter import croniter

_QUARTZ = re.compile(r"^([0-9*/,-]+\s+){3}[0-9*/,?LW-]+\s+[0-9A-Za-z*/,-]+\s+[0-9A-Za-z*/,?L#-]+"
                     r"(\s+[0-9*/,-]+)?$")


def is_quartz_cron(text: str | None) -> bool:
    return bool(_QUARTZ.match((text or "").strip()))


def quartz_to_croniter(text: str) -> str:
    """Quartz numbers the days of the week 1 (Sunday) to 7; croniter 0 to 6. ``?`` and the
    optional year croniter reads as they are."""
    fields = text.split()
    fields[5] = re.sub(r"(?<![/#\d])\d+", lambda m: str(int(m.group()) - 1), fields[5])
    return " ".join(fields)


def cron_after(text: str, after: datetime, tz: ZoneInfo) -> datetime:
    """The first occurrence after ``after``, the fields read in the city's time zone."""
    try:
        it = croniter(quartz_to_croniter(text), after.astimezone(tz), second_at_beginning=True)
    except (ValueError, KeyError) as exc:
        raise ValueError(f"{text!r} is not a Quartz cron expression ({exc})") from exc
    return it.get_next(datetime).astimezone(timezone.utc)
