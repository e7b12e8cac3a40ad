"""Issue 15: every KPI of a data set whose values are known by construction (tests/kpis/world.py
``november``: merged, voided, returned, paused, re-opened, late and pending cases), for each
grouping and several periods, computed by the service the API calls."""
from __future__ import annotations

import pytest

from engine.services.kpis import kpis
from tests.factories.directory import make_user

from .world import november

KPIS = ("received", "voided", "merged", "accepted", "dispatched", "completed", "evaluated",
        "dispatched_in_time_rate", "feedback_on_time_rate", "completion_rate", "on_time_completion_rate",
        "satisfaction_rate", "callback_rate", "resolution_rate", "direct_reach_rate", "reopened_rate",
        "avg_hours_to_complete", "avg_working_days_to_complete")
# counts of received…evaluated, then the rates and averages, in KPIS order
WHOLE_CITY = (7, 1, 1, 5, 5, 4, 3, 0.8, 0.6, 0.8, 0.75, 0.6667, 0.75, 0.75, 0.8, 0.3333, 18.75, 0.75)
EAST = (5, 0, 1, 4, 4, 4, 3, 1.0, 0.75, 1.0, 0.75, 0.6667, 0.75, 0.75, 0.75, 0.3333, 18.75, 0.75)
WEST = (2, 1, 0, 1, 1, 0, 0, 0.0, 0.0, 0.0, None, None, None, None, 1.0, None, None, None)
EAST_CG = (3, 0, 0, 3, 3, 3, 2, 1.0, 0.6667, 1.0, 0.6667, 0.5, 0.6667, 0.6667, 1.0, 0.5, 15.33, 0.67)
EAST_SW = (1, 0, 0, 1, 1, 1, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 29.0, 1.0)
CENTRE = (2, 1, 1, 0, 0, 0, 0, None, None, None, None, None, None, None, None, None, None, None)
RUBBISH = (2, 0, 0, 2, 2, 2, 1, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 1.0, 0.0, 11.0, 0.5)
URBAN = (3, 0, 0, 3, 3, 3, 2, 1.0, 0.6667, 1.0, 0.6667, 0.5, 0.6667, 0.6667, 1.0, 0.5, 15.33, 0.67)


@pytest.fixture
def world(client, container, clock):
    november(client, container, clock)
    return make_user(container, "boss", "leader", org_unit="CITY")


def table(container, actor: int, group_by: str, period: str = "range",
          first: str = "2026-11-01", last: str = "2026-11-30") -> dict[tuple, tuple]:
    """(group, period) → the KPIS of that row."""
    with container.uow() as uow:
        rows = kpis(uow, actor, first, last, group_by, period)
    return {(r["group"], r["period"]): tuple(r[k] for k in KPIS) for r in rows}


def test_by_district_and_process_for_the_month(container, world):
    month = "2026-11-01..2026-11-30"
    assert table(container, world, "district") == {("D-EAST", month): EAST, ("D-WEST", month): WEST}
    assert table(container, world, "process") == {("event_closed_loop", month): WHOLE_CITY}
    assert table(container, world, "process", "month") == {("event_closed_loop", "2026-11"): WHOLE_CITY}


def test_by_org_unit_counts_each_unit_with_its_subtree(container, world):
    rows = table(container, world, "org_unit", "month")
    assert rows[("CITY", "2026-11")] == WHOLE_CITY
    assert rows[("D-EAST", "2026-11")] == (4, 0, 0, 4, 4, 4, 3, 1.0, 0.75, 1.0, 0.75, 0.6667, 0.75, 0.75, 0.75,
                                           0.3333, 18.75, 0.75)  # C, merged, sits with the 12345 centre
    assert rows[("D-EAST-CG", "2026-11")] == EAST_CG
    assert rows[("D-EAST-SW", "2026-11")] == EAST_SW
    assert rows[("CITY-12345", "2026-11")] == CENTRE
    assert rows[("D-WEST", "2026-11")] == rows[("D-WEST-CG", "2026-11")] == (
        1, 0, 0, 1, 1, 0, 0, 0.0, 0.0, 0.0, None, None, None, None, 1.0, None, None, None)
    assert len(rows) == 7


def test_by_category_counts_each_category_with_those_below_it(container, world):
    rows = table(container, world, "category", "week")
    week = "2026-W48"
    assert rows[("urban.appearance.exposed_rubbish", week)] == RUBBISH
    assert rows[("urban", week)] == rows[("urban.appearance", week)] == URBAN
    assert rows[("municipal.road.manhole_cover", week)] == rows[("municipal", week)] == EAST_SW
    assert rows[(None, week)] == CENTRE  # the voided and the merged report were never classified
    assert set(rows) == {(c, week) for c in (
        "urban", "urban.appearance", "urban.appearance.exposed_rubbish", "urban.appearance.piled_materials",
        "municipal", "municipal.road", "municipal.road.manhole_cover", "traffic", "traffic.parking",
        "traffic.parking.illegal_car", None)}


def test_by_day_each_case_counts_on_the_day_it_was_received(container, world):
    rows = table(container, world, "district", "day", "2026-11-22", "2026-11-28")
    assert set(rows) == {("D-EAST", "2026-11-23"), ("D-EAST", "2026-11-24"), ("D-EAST", "2026-11-26"),
                         ("D-WEST", "2026-11-23"), ("D-WEST", "2026-11-25")}
    # Monday: A (2 h, same day) and D (29 h, next working day); C merged
    assert rows[("D-EAST", "2026-11-23")] == (3, 0, 1, 2, 2, 2, 2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0,
                                              15.5, 0.5)
    assert rows[("D-EAST", "2026-11-24")] == (1, 0, 0, 1, 1, 1, 1, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0,
                                              24.0, 1.0)  # E: re-opened, unsatisfied twice
    assert rows[("D-EAST", "2026-11-26")] == (1, 0, 0, 1, 1, 1, 0, 1.0, 0.0, 1.0, 0.0, None, 0.0, 1.0, 1.0, None,
                                              20.0, 1.0)  # G: late, evaluation pending
    assert rows[("D-WEST", "2026-11-23")] == (1, 1, 0, 0, 0, 0, 0, *[None] * 11)  # B, voided
    assert rows[("D-WEST", "2026-11-25")] == (1, 0, 0, 1, 1, 0, 0, 0.0, 0.0, 0.0, *[None] * 4, 1.0, *[None] * 3)


def test_a_range_after_the_cases_has_no_rows(container, world):
    assert table(container, world, "district", "range", "2026-11-28", "2026-11-30") == {}
