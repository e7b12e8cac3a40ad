"""Each task carries its case's process, category and district (issue #17 §3), so that the inbox
filters on the tasks table alone: a new step takes the case's columns, a step that changes the
category or district changes them on the case's other live steps too, and migration 0017 fills
them in for the tasks already there."""
from __future__ import annotations

from sqlalchemy import select, text

from engine import services
from engine.models import Task
from tests.conftest import DATA
from tests.factories.directory import make_org_tree, make_user
from tests.factories.migrations import database_at, insert_definition


def _titles(container, user: int, **filters) -> list[str]:
    with container.uow() as uow:
        return sorted(r["name"] for r in services.list_tasks(uow, user, **filters))


def test_a_later_step_that_reclassifies_moves_the_cases_other_steps_in_the_filters(container):
    make_org_tree(container)
    handler = make_user(container, "zhao", "handler")
    with container.uow() as uow:
        services.deploy(uow, [("p.bpmn", (DATA / "parallel_reclassify.bpmn").read_bytes())], None)
    with container.uow() as uow:
        case = services.start_case(uow, "parallel_reclassify", {"title": "占道", "category": "urban.street",
                                                                "district": "D-EAST"}, handler)
    assert _titles(container, handler, category="urban.street", district="D-EAST",
                   process_key="parallel_reclassify") == ["处置", "改分类"]
    assert _titles(container, handler, process_key="other") == []

    reclassify = next(t["id"] for t in case["tasks"] if t["element_id"] == "Task_reclassify")
    with container.uow() as uow:
        services.complete_task(uow, reclassify, {"category": "traffic.parking", "district": "D-WEST"}, handler)
    assert _titles(container, handler, category="urban.street") == []
    assert _titles(container, handler, district="D-EAST") == []
    assert _titles(container, handler, category="traffic.parking", district="D-WEST") == ["处置"]
    with container.uow() as uow:
        row = services.list_tasks(uow, handler)[0]
    assert (row["category"], row["district"]) == ("traffic.parking", "D-WEST")
    with container.session_factory() as s:  # the finished step keeps what the case was while it was open
        done = s.scalar(select(Task).where(Task.id == reclassify))
        assert (done.category, done.district) == ("urban.street", "D-EAST")


def test_migration_0017_copies_the_case_columns_onto_existing_tasks(fresh_database_url):
    with database_at(fresh_database_url, "0016") as (engine, upgrade_to_head):
        with engine.begin() as conn:
            insert_definition(conn)
            conn.execute(text("INSERT INTO cases (id, number, definition_id, process_key, status, title, category,"
                              " district, data, state, version, created_at, updated_at) VALUES"
                              " (1, 'C1', 1, 'p', 'running', 't', 'urban.street', 'D-EAST', '{}', :s, 1,"
                              " '2026-12-01 00:00:00', '2026-12-01 00:00:00'),"
                              " (2, 'C2', 1, 'p', 'running', 't', NULL, NULL, '{}', :s, 1,"
                              " '2026-12-01 00:00:00', '2026-12-01 00:00:00')"), {"s": b"x"})
            conn.execute(text("INSERT INTO tasks (id, case_id, spiff_task_id, element_id, name, title, state,"
                              " paused_s, sla_extensions, due_provisional, priority, created_at, draft, kind) VALUES"
                              " (1, 1, 'a', 'A', 'A', 't', 'open', 0, '[]', false, 50, '2026-12-01 00:00:00', '{}', 'step'),"
                              " (2, 2, 'b', 'B', 'B', 't', 'completed', 0, '[]', false, 50, '2026-12-01 00:00:00', '{}',"
                              " 'step')"))
        upgrade_to_head()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, process_key, category, district FROM tasks ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "p", "urban.street", "D-EAST"), (2, "p", None, None)]
