"""The KPI table for leaders, supervisors and admins (docs/kpis.md): their own part of the org
tree, grouped and bucketed as asked."""
from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..kpis import GROUP_BY, PERIODS
from ..kpis.periods import MAX_DAY_BUCKETS, MAX_RANGE_DAYS
from ..kpis.table import kpi_table, local_zone
from ..permissions import OVERSEER_ROLES, oversight_paths
from .common import load_actor, require_role

MAX_AHEAD_DAYS = 366  # a report may end in the coming year (a plan), not further


def _day(value: date | str | None, name: str) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{name} is not a date", fields={name: ["a date such as 2026-11-01"]}) from None


def _choice(value: str | None, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = value or default
    if value not in allowed:
        raise InvalidInput(f"unknown {name} {value!r}", fields={name: [f"one of {', '.join(allowed)}"]})
    return value


def _range(from_: date | str | None, to: date | str | None, today: date) -> tuple[date, date]:
    """``to`` defaults to today and ``from`` to the first day of ``to``'s month."""
    last = _day(to, "to") or today
    first = _day(from_, "from") or last.replace(day=1)
    if first > last:
        raise InvalidInput("from is after to", fields={"from": ["on or before to"]})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput("range too long", fields={"to": [f"at most {MAX_RANGE_DAYS} days after from"]})
    # working days are counted across the calendar from ``first`` to today or ``last``: a range
    # centuries away would make that count as large as it is meaningless
    if (today - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput("from is too long ago", fields={"from": [f"within {MAX_RANGE_DAYS} days before today"]})
    if (last - today).days > MAX_AHEAD_DAYS:
        raise InvalidInput("to is too far ahead", fields={"to": [f"at most {MAX_AHEAD_DAYS} days after today"]})
    return first, last


def kpis(uow, actor_id: int, from_: date | str | None = None, to: date | str | None = None,
         group_by: str | None = None, period: str | None = None) -> list[dict]:
    """KPI rows for cases received from ``from_`` to ``to`` (local dates, both included) by
    ``group_by`` (default district) and ``period`` (default: the whole range). Supervisors and
    leaders see their org subtree, admins and city-wide roles everything; others are Forbidden.
    A bad argument is InvalidInput naming it."""
    user = load_actor(uow.session, actor_id)
    require_role(user, *OVERSEER_ROLES)
    today = uow.clock.now().astimezone(local_zone(uow)).date()
    first, last = _range(from_, to, today)
    group_by = _choice(group_by, "group_by", GROUP_BY, "district")
    period = _choice(period, "period", PERIODS, "range")
    if period == "day" and (last - first).days >= MAX_DAY_BUCKETS:
        raise InvalidInput("too many days", fields={"period": [f"day covers at most {MAX_DAY_BUCKETS} days; use week"]})
    return kpi_table(uow, first, last, period, group_by, oversight_paths(uow.session, user))
