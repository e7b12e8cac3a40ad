"""Issue 15: periods across the year boundary in Asia/Shanghai, and working days counted on a
provisional calendar year (2027: its holidays are not confirmed yet), including an admin's
change to that year (tests/kpis/world.py ``new_year``)."""
from __future__ import annotations

from datetime import date

import pytest

from engine.services import calendar_admin
from engine.services.kpis import kpis
from tests.factories.directory import make_user

from .world import new_year

TIMES = ("received", "completed", "avg_hours_to_complete", "avg_working_days_to_complete",
         "working_days_provisional")


@pytest.fixture
def boss(client, container, clock):
    new_year(client, container, clock)
    return make_user(container, "chief", "leader", org_unit="CITY")


def table(container, actor: int, period: str, first: str = "2026-12-28", last: str = "2027-01-10") -> dict:
    with container.uow() as uow:
        rows = kpis(uow, actor, first, last, "district", period)
    return {r["period"]: tuple(r[k] for k in TIMES) for r in rows}


def test_days_and_months_split_at_local_midnight_not_utc(container, boss):
    assert table(container, boss, "day") == {
        "2026-12-30": (1, 1, 24.0, 1.0, False),
        "2026-12-31": (1, 1, 82.5, 1.0, True),   # 1 January is 元旦 on the provisional 2027 calendar
        "2027-01-01": (1, 1, 81.5, 1.0, True)}   # received 00:30 local, 16:30 UTC on 31 December
    assert table(container, boss, "month") == {"2026-12": (2, 2, 53.25, 1.0, True),
                                               "2027-01": (1, 1, 81.5, 1.0, True)}


def test_an_iso_week_spans_the_two_years(container, boss):
    assert table(container, boss, "week") == {"2026-W53": (3, 3, 62.67, 1.0, True)}
    with container.uow() as uow:
        rows = kpis(uow, boss, "2026-12-31", "2027-01-10", "district", "week")
    assert [(r["period"], r["period_start"], r["period_end"]) for r in rows] == [
        ("2026-W53", "2026-12-31", "2027-01-03")]  # cut to the range asked for


def test_working_days_follow_the_calendar_an_admin_edits(container, boss):
    with container.uow() as uow:  # 2 January 2027 declared a 调休 working Saturday
        calendar_admin.set_days(uow, [{"day": date(2027, 1, 2), "working": True}], None)
    assert table(container, boss, "day") == {
        "2026-12-30": (1, 1, 24.0, 1.0, False),
        "2026-12-31": (1, 1, 82.5, 2.0, True),
        "2027-01-01": (1, 1, 81.5, 2.0, True)}
    with container.uow() as uow:  # confirmed as entered: 1 January is no longer a holiday
        calendar_admin.confirm_year(uow, 2027, None)
    assert table(container, boss, "range") == {"2026-12-28..2027-01-10": (3, 3, 62.67, 2.0, False)}  # 1, 3, 2 wd
