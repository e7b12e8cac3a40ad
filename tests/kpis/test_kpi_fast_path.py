"""Issue 15: the stored per-case facts (engine/kpis/store.py) give exactly the figures of the
direct computation from every case's step rows, for every grouping, period and overseer, and a
case changed after its period closed (through the engine, or by SQL that bypasses it) counts
at once, before and after the background fold."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from engine.kpis import GROUP_BY
from engine.kpis.store import fold_job
from engine.services.kpis import kpis
from tests.conftest import ON_POSTGRES
from tests.factories.directory import make_user

from .world import move_to, november

RANGES = [("range", "2026-11-01", "2026-11-30"), ("month", "2026-10-15", "2026-12-31"),
          ("week", "2026-11-01", "2026-11-30"), ("day", "2026-11-22", "2026-11-28")]


@pytest.fixture
def world(client, container, clock):
    loop = november(client, container, clock)
    boss = make_user(container, "boss", "leader", org_unit="CITY")
    with container.engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM users")).all())
        case_ids = dict(conn.execute(text("SELECT substr(title, 1, 1), id FROM cases")).all())
    return loop, [boss, ids["wu"], ids["zheng"]], case_ids  # city leader, 东城区督办, 市督办


def tables(container, actors: list[int]) -> dict:
    """Every grouping × period × overseer: the rows the API would send."""
    out = {}
    for actor in actors:
        for group_by in GROUP_BY:
            for period, first, last in RANGES:
                with container.uow() as uow:
                    out[(actor, group_by, period)] = kpis(uow, actor, first, last, group_by, period)
    return out


def direct(container, actors: list[int]) -> dict:
    """The figures computed from every case's step rows, as right after migration 0014."""
    with container.engine.begin() as conn:
        conn.execute(text("INSERT INTO kpi_dirty_cases (case_id) SELECT id FROM cases WHERE id NOT IN"
                          " (SELECT case_id FROM kpi_dirty_cases)"))
    return tables(container, actors)


def fold_all(container) -> None:
    while fold_job(container):
        pass
    with container.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM kpi_dirty_cases")) == 0


def district_row(container, actor: int, district: str) -> dict:
    with container.uow() as uow:
        return next(r for r in kpis(uow, actor, "2026-11-01", "2026-11-30", "district") if r["group"] == district)


def test_stored_facts_give_the_direct_figures_for_every_grouping_period_and_overseer(container, world):
    _, actors, _ = world
    expected = direct(container, actors)
    assert expected[(actors[0], "district", "range")][0]["accepted"] == 4  # D-EAST: tests/kpis/world.py
    fold_all(container)
    assert tables(container, actors) == expected


def test_a_case_completed_after_its_month_closed_counts_at_once_and_after_the_fold(container, clock, world):
    loop, actors, case_ids = world
    fold_all(container)
    before = district_row(container, actors[0], "D-WEST")
    assert (before["dispatched"], before["feedback_on_time_rate"]) == (1, 0.0)  # F: handling still open

    move_to(clock, "2026-12-03 10:00")  # December: November is closed
    loop.advance("xi", case_ids["F"], "Task_handle", handle_action="done", result="已拖离")
    now = district_row(container, actors[0], "D-WEST")
    assert now["feedback_on_time_rate"] == 1.0  # the very next query counts it
    assert tables(container, actors) == direct(container, actors)
    fold_all(container)
    assert district_row(container, actors[0], "D-WEST") == now


def test_a_change_made_by_sql_outside_the_engine_still_counts(container, world):
    _, actors, case_ids = world
    fold_all(container)
    with container.engine.begin() as conn:  # e.g. an administrator's correction in the database
        conn.execute(text("UPDATE cases SET category = 'traffic.parking.bicycles' WHERE id = :id"),
                     {"id": case_ids["F"]})
    with container.uow() as uow:
        rows = kpis(uow, actors[0], "2026-11-01", "2026-11-30", "category")
    categories = {r["group"]: r["received"] for r in rows}
    assert categories["traffic.parking.bicycles"] == 1 and "traffic.parking.illegal_car" not in categories
    fold_all(container)
    assert tables(container, actors) == direct(container, actors)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's BEGIN IMMEDIATE runs one writer at a time")
def test_a_fold_beside_an_open_writer_neither_waits_nor_loses_the_change(container, world):
    _, actors, case_ids = world
    fold_all(container)
    with container.engine.begin() as conn:
        conn.execute(text("INSERT INTO kpi_dirty_cases (case_id) VALUES (:id)"), {"id": case_ids["F"]})
    with container.engine.connect() as writer:
        tx = writer.begin()  # a writer changes F and has not committed yet
        writer.execute(text("UPDATE cases SET district = 'D-EAST' WHERE id = :id"), {"id": case_ids["F"]})
        folded = []
        fold = threading.Thread(target=lambda: folded.append(fold_job(container)))
        fold.start()
        fold.join(timeout=20)
        assert folded == [0]  # done without waiting, F left listed: its change is not visible yet
        tx.commit()
    assert district_row(container, actors[0], "D-EAST")["received"] == 6  # F counts in D-EAST now
    fold_all(container)
    assert district_row(container, actors[0], "D-EAST")["received"] == 6


def test_every_scheduler_folds_the_listed_cases(container, world):
    """The fold is a scheduler job: without it the listed cases would pile up and every KPI query
    would compute them all afresh."""
    from engine.scheduler import make_scheduler

    jobs = {job.id: job for job in make_scheduler(container, blocking=False).get_jobs()}
    fold = jobs["kpi-facts-fold"]
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kpi_dirty_cases")).scalar() > 0
    while fold.func(*fold.args):
        pass
    with container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kpi_dirty_cases")).scalar() == 0
