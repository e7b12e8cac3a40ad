"""Issue 15: a case counts on its local day in the deployment's time zone, on SQLite as on
PostgreSQL, also when the zone changes its clocks inside the days asked for (the KPI query adds
the zone's UTC offsets instead of looking the zone up row by row: engine/kpis/local_time.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import literal, select

from engine.kpis.local_time import local_day_number
from engine.models.base import UTCDateTime

# UTC instants either side of local midnight and of the zone's clock change, if it has one
INSTANTS = ["2026-10-24 21:59:59", "2026-10-24 22:00:00", "2026-10-25 00:59:59", "2026-10-25 01:00:00",
            "2026-10-25 15:59:59", "2026-10-25 16:00:00", "2026-10-25 22:59:59", "2026-10-25 23:00:00",
            "2026-11-30 22:59:59", "2026-11-30 23:00:00"]


@pytest.mark.parametrize("zone", ["Europe/Berlin",        # CEST → CET at 01:00 UTC on 25 October
                                  "America/Sao_Paulo",    # no summer time since 2019
                                  "Asia/Shanghai"])
def test_a_case_counts_on_its_local_day_across_the_zones_clock_change(container, zone):
    tz = ZoneInfo(zone)
    instants = [datetime.fromisoformat(text).replace(tzinfo=timezone.utc) for text in INSTANTS]
    dialect = container.engine.dialect.name
    with container.engine.connect() as conn:
        days = [conn.scalar(select(local_day_number(literal(at, UTCDateTime()), dialect, tz,
                                                    date(2026, 10, 1), date(2026, 12, 1))))
                for at in instants]
    assert days == [(at.astimezone(tz).date() - date(1970, 1, 1)).days for at in instants]
