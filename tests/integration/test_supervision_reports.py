"""Issue 15 §5: the supervision reports' four lists (docs/kpis.md §6) on a data set whose members
are known by construction (tests/factories/supervision_reports.py): each kind holds exactly its
cases with the reason it qualifies, states are taken at the period's end and events inside the
period, the 久拖不决 threshold is a setting, and a district supervisor sees only their district."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.errors import Forbidden
from engine.models import User
from engine.services.supervision_reports import supervision_report
from tests.factories.supervision_reports import supervision_world


@pytest.fixture
def world(client, container, clock) -> dict[str, int]:
    return supervision_world(client, container, clock)


def _report(container, username: str, kind: str, key: str) -> dict:
    with container.uow() as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == username))
        return supervision_report(uow, user_id, kind, key)


def _members(report: dict, world: dict[str, int]) -> dict[str, list[str]]:
    letters = {case_id: letter for letter, case_id in world.items()}
    return {kind: [letters[e["case_id"]] for e in entries] for kind, entries in report["lists"].items()}


def _reasons(report: dict, kind: str, world: dict[str, int], letter: str) -> list[dict]:
    return next(e["reasons"] for e in report["lists"][kind] if e["case_id"] == world[letter])


def test_each_list_holds_exactly_the_cases_built_for_it(world, container):
    report = _report(container, "zheng", "monthly", "2026-11")  # 市督办: the whole city
    assert _members(report, world) == {"overdue": ["L", "K", "W"], "repeated": ["M", "E"],
                                       "long_open": ["L", "H"], "buck_passing": ["B2", "C1"]}
    assert report["counts"] == {"overdue": 3, "repeated": 2, "long_open": 2, "buck_passing": 2}
    assert report["scope"] == "示范市" and not report["in_progress"]

    late = _reasons(report, "overdue", world, "L")
    assert [(r["step"], r["unit"], r["hours"]) for r in late] == [("处置", "东城区城管局", 630.5)]  # due 11-04 17:30
    assert _reasons(report, "long_open", world, "L") == [
        {"code": "open_long", "received_at": datetime(2026, 10, 26, 2, 0, tzinfo=timezone.utc), "working_days": 25}]
    assert [r["code"] for r in _reasons(report, "long_open", world, "H")] == ["on_hold"]
    assert _reasons(report, "buck_passing", world, "B2") == [
        {"code": "returned", "times": 2, "units": ["东城区城管局", "东城区水务局"]}]
    assert [r["code"] for r in _reasons(report, "buck_passing", world, "C1")] == ["consulted"]
    merged = _reasons(report, "repeated", world, "M")[0]
    assert merged["code"] == "merged" and merged["numbers"] == ["20261109000002"]
    assert [(r["code"], r["times"]) for r in _reasons(report, "repeated", world, "E")] == [("rehandled", 1)]
    entry = report["lists"]["overdue"][0]
    assert (entry["title"], entry["district_name"], entry["department"]) == ("L 暴露垃圾久拖", "东城区", "东城区城管局")


def test_states_are_taken_at_the_end_and_events_inside_the_period(world, container):
    october = _report(container, "zheng", "monthly", "2026-10")
    # B2's second 签收 lay overdue over the month's end; L's duplicate came in October; B2 was
    # returned only once by then, and nothing was open 20 working days yet
    assert _members(october, world) == {"overdue": ["B2"], "repeated": ["L"], "long_open": [], "buck_passing": []}
    assert _members(_report(container, "zheng", "daily", "2026-11-03"), world)["buck_passing"] == ["B2"]
    assert _members(_report(container, "zheng", "daily", "2026-11-04"), world)["buck_passing"] == []
    week = _report(container, "zheng", "weekly", "2026-W46")  # 9–15 November
    assert (week["first"].isoformat(), week["last"].isoformat()) == ("2026-11-09", "2026-11-15")
    assert _members(week, world)["repeated"] == ["M"] and week["previous"] == "2026-W45" and week["next"] == "2026-W47"


def test_the_long_open_threshold_is_a_setting(world, container):
    container.settings = replace(container.settings, long_open_wd=19)
    report = _report(container, "zheng", "monthly", "2026-11")
    assert _members(report, world)["long_open"] == ["L", "K", "H"]  # K: open 20 working days > 19
    assert report["long_open_wd"] == 19


def test_a_district_supervisor_sees_only_their_district(world, container):
    east = _report(container, "wu", "monthly", "2026-11")  # 东城区督办
    assert _members(east, world)["overdue"] == ["L", "K"]  # not W, in 西城区
    assert east["scope"] == "东城区"
    assert [r["group"] for r in east["kpis"]] == ["D-EAST"]
    assert {r["group"] for r in east["departments"]} == {"D-EAST-CG", "D-EAST-SW"}
    city = _report(container, "zheng", "monthly", "2026-11")
    assert [r["group"] for r in city["kpis"]] == ["D-EAST", "D-WEST"]
    for username in ("zhang", "zhao", "wang"):  # a citizen, a handler, a dispatcher
        with pytest.raises(Forbidden):
            _report(container, username, "monthly", "2026-11")


def test_a_running_period_is_reported_so_far(world, container, clock):
    report = _report(container, "zheng", "monthly", "2026-12")
    assert report["in_progress"] and report["as_of"] == clock.now() and report["next"] is None
    assert _members(report, world)["overdue"] == ["L", "K", "W"] and report["kpis"] == []
