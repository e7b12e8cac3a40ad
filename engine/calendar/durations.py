"""Time-limit strings (办理时限) as they appear in process definitions.

Why a separate type: a limit is not a ``timedelta``.  ``3wd`` (three working
days) and ``3d`` (three calendar days) mean different things to the
:class:`~engine.calendar.working_time.WorkCalendar`, so the unit must survive
parsing instead of being flattened into seconds.

Accepted text (surrounding whitespace ignored):

* short forms ``30m`` / ``30min``, ``2h``, ``3d`` (natural, elapsed time),
  ``4wh`` (working hours), ``3wd`` (working days);
* ISO-8601 durations ``PT30M``, ``PT2H``, ``P3D``, ``P2W`` and combinations
  such as ``P1DT2H`` (normalised to the smallest unit used, e.g. 1560 minutes).
  Years, months and seconds are rejected: their length is ambiguous or finer
  than any limit the engine tracks.

``str(limit)`` gives the short form, and ``parse_limit(str(limit)) == limit``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

Unit = Literal["minutes", "hours", "days", "work_hours", "work_days"]
UNITS: tuple[str, ...] = get_args(Unit)
NATURAL_UNITS: frozenset[str] = frozenset({"minutes", "hours", "days"})

_SUFFIX = {"minutes": "m", "hours": "h", "days": "d", "work_hours": "wh", "work_days": "wd"}
_SHORT_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days",
                "wh": "work_hours", "wd": "work_days"}
_SHORT_RE = re.compile(r"(\d+)\s*(min|m|h|d|wh|wd)")
_ISO_RE = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?",
    re.IGNORECASE,
)
_FORMS = "'30m', '30min', '2h', '3d', '4wh', '3wd' or ISO-8601 such as 'PT30M', 'PT2H', 'P3D'"


@dataclass(frozen=True)
class Limit:
    """A positive whole number of one unit, e.g. ``Limit(3, 'work_days')``."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown limit unit {self.unit!r}; expected one of {', '.join(UNITS)}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError(f"limit amount must be a positive integer, got {self.amount!r}")

    @property
    def is_natural(self) -> bool:
        """True for plain elapsed time (minutes, hours, days)."""
        return self.unit in NATURAL_UNITS

    def __str__(self) -> str:
        return f"{self.amount}{_SUFFIX[self.unit]}"


def parse_limit(text: str) -> Limit:
    """Parse a limit string; raise ``ValueError`` naming the accepted forms."""
    if not isinstance(text, str):
        raise ValueError(f"limit must be a string such as {_FORMS}, got {type(text).__name__}")
    s = text.strip()
    m = _SHORT_RE.fullmatch(s)
    if m:
        return _make(int(m.group(1)), _SHORT_UNITS[m.group(2)], text)
    m = _ISO_RE.fullmatch(s)
    if m and s.upper() not in ("P", "PT") and not s.upper().endswith("T"):
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
        if "weeks" in parts:
            parts["days"] = parts.get("days", 0) + 7 * parts.pop("weeks")
        if len(parts) == 1:
            (unit, amount), = parts.items()
            return _make(amount, unit, text)
        minutes = parts.get("days", 0) * 1440 + parts.get("hours", 0) * 60 + parts.get("minutes", 0)
        if "minutes" in parts or minutes % 60:
            return _make(minutes, "minutes", text)
        return _make(minutes // 60, "hours", text)
    raise ValueError(f"invalid time limit {text!r}: expected {_FORMS}")


def _make(amount: int, unit: str, text: str) -> Limit:
    if amount <= 0:
        raise ValueError(f"invalid time limit {text!r}: the amount must be greater than zero")
    return Limit(amount, unit)  # type: ignore[arg-type]
