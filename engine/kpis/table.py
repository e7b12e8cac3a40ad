"""The KPI table for a unit of work: the periods of local dates ``first``..``last`` in the
deployment's time zone and work calendar, as of now. Shared by the KPI service (a signed-in
reader) and the supervision reports (a reader's part of the city, or the scheduler's whole city)."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ..calendar.store import calendar_for
from .cohort import Window
from .compute import kpi_rows
from .periods import buckets


def local_zone(uow) -> ZoneInfo:
    return ZoneInfo(uow.settings.timezone if uow.settings else "Asia/Shanghai")


def kpi_table(uow, first: date, last: date, period: str, group_by: str, paths: list[str] | None) -> list[dict]:
    """The rows GET /api/v1/kpis answers for ``from=first&to=last`` with this grouping and
    period, for a reader overseeing ``paths`` (None: the whole city)."""
    tz = local_zone(uow)
    today = uow.clock.now().astimezone(tz).date()
    window = Window(buckets(first, last, period, tz), tz, calendar_for(uow), max(today, last) + timedelta(days=1),
                    uow.session.get_bind().dialect.name)
    return kpi_rows(uow.session, window, group_by, paths)
