"""An inbox page read queue by queue (issue #17 §3): a task whose one candidate is a group waits
in that group's queue, every other task is found through its candidate rows, and the inbox
merges both in one order, page after page, as the candidates rule (permissions.matches) says;
a transfer to another org unit moves the task to that unit's queue; migration 0019 puts the
tasks already there in their queues."""
from __future__ import annotations

from sqlalchemy import text

from engine import services
from engine.services import handover
from tests.conftest import DATA
from tests.factories.directory import make_org_tree, make_user
from tests.factories.migrations import database_at, insert_definition


def _names(container, user: int, **kw) -> list[str]:
    return [r["element_id"] for r in _rows(container, user, **kw)]


def _rows(container, user: int, **kw) -> list[dict]:
    with container.uow() as uow:
        return services.list_tasks(uow, user, **kw)


def _start(container, starter: int) -> dict:
    with container.uow() as uow:
        services.deploy(uow, [("queues.bpmn", (DATA / "queues.bpmn").read_bytes())], None)
    with container.uow() as uow:
        return services.start_case(uow, "queues", {"title": "队列"}, starter)


def test_queued_and_unqueued_tasks_share_one_order_and_its_pages(container):
    make_org_tree(container)
    zhao = make_user(container, "zhao", "handler", org_unit="D-EAST-CG")
    qian = make_user(container, "qian", "handler")  # city-wide: every handler queue
    sun = make_user(container, "sun", "dispatcher")
    case = _start(container, zhao)
    assert _names(container, zhao) == ["A", "B", "C", "D", "E"]  # priority 90 … 50; F is the west's
    assert _names(container, qian) == ["A", "B", "C", "F"]  # no user or org-only task
    assert _names(container, sun) == ["C"]
    pages = [_names(container, zhao, per_page=2, page=n) for n in (1, 2, 3, 4)]
    assert pages == [["A", "B"], ["C", "D"], ["E"], []]

    b = next(t["id"] for t in case["tasks"] if t["element_id"] == "B")
    with container.uow() as uow:
        services.claim_task(uow, b, zhao)
    assert _names(container, zhao) == ["A", "B", "C", "D", "E"]  # B is mine now
    assert _names(container, zhao, scope="group") == ["A", "C", "D", "E"]
    assert _names(container, qian) == ["A", "C", "F"]
    with container.uow() as uow:
        services.unclaim_task(uow, b, zhao)
    assert _names(container, qian) == ["A", "B", "C", "F"]  # back in its queue


def test_every_sort_pages_through_the_whole_inbox_once(container):
    make_org_tree(container)
    zhao = make_user(container, "zhao", "handler", org_unit="D-EAST-CG")
    for _ in range(3):
        _start(container, zhao)
    for sort in ("priority", "due", "created"):
        whole = [r["id"] for r in _rows(container, zhao, sort=sort, per_page=50)]
        paged = [r["id"] for n in range(1, 5) for r in _rows(container, zhao, sort=sort, per_page=4, page=n)]
        assert len(whole) == 15 and paged == whole, sort


def test_a_transfer_to_another_org_unit_moves_the_task_to_that_units_queue(container):
    make_org_tree(container)
    zhao = make_user(container, "zhao", "handler", org_unit="D-EAST-CG")
    li = make_user(container, "li", "handler", org_unit="D-WEST-CG")
    case = _start(container, zhao)
    assert _names(container, li) == ["B", "F"]
    a = next(t["id"] for t in case["tasks"] if t["element_id"] == "A")
    with container.uow() as uow:
        services.claim_task(uow, a, zhao)
    with container.uow() as uow:
        handover.transfer(uow, a, zhao, "属西城管辖", to_org_unit="D-WEST-CG")
    assert _names(container, zhao) == ["B", "C", "D", "E"]
    assert _names(container, li) == ["A", "B", "F"]


def test_migration_0019_puts_existing_tasks_in_their_queues(fresh_database_url):
    with database_at(fresh_database_url, "0018") as (engine, upgrade_to_head):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO org_units (id, code, name, kind, level, path) VALUES"
                              " (7, 'U', 'U', 'department', 0, '/7/')"))
            conn.execute(text("INSERT INTO users (id, username, password_hash, display_name, active, created_at)"
                              " VALUES (3, 'u', 'x', 'u', true, '2026-12-01 00:00:00')"))
            insert_definition(conn)
            conn.execute(text("INSERT INTO cases (id, number, definition_id, process_key, status, title, data, state,"
                              " version, created_at, updated_at) VALUES (1, 'C1', 1, 'p', 'running', 't', '{}', :s, 1,"
                              " '2026-12-01 00:00:00', '2026-12-01 00:00:00')"), {"s": b"x"})
            conn.execute(text("INSERT INTO tasks (id, case_id, spiff_task_id, element_id, name, title, state, paused_s,"
                              " sla_extensions, due_provisional, priority, created_at, draft, kind) VALUES "
                              + ", ".join(f"({i}, 1, 's{i}', 'E{i}', 'E', 't', 'open', 0, '[]', false, 50,"
                                          f" '2026-12-01 00:00:00', '{{}}', 'step')" for i in range(1, 6))))
            conn.execute(text("INSERT INTO task_candidates (task_id, role, org_unit_id, user_id) VALUES"
                              " (1, 'handler', 7, NULL), (2, 'handler', NULL, NULL), (3, NULL, 7, NULL),"
                              " (4, 'handler', 7, NULL), (4, 'dispatcher', NULL, NULL), (5, NULL, NULL, 3)"))
        upgrade_to_head()
        with engine.connect() as conn:
            queues = conn.execute(text("SELECT id, queue FROM tasks ORDER BY id")).all()
            queued = conn.execute(text("SELECT task_id FROM task_candidates WHERE queued ORDER BY task_id")).all()
        assert [tuple(r) for r in queues] == [(1, "handler@7"), (2, "handler@"), (3, "@7"), (4, None), (5, None)]
        assert [r[0] for r in queued] == [1, 2, 3]
