"""`inbox`: 1,000,000 open tasks across 500 org units on PostgreSQL: p50/p95 of a user's inbox
page and of filtered queries (overdue, category, district), through the service layer."""
from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select, text

from engine import services
from engine.bootstrap import Container
from engine.models import Case, OrgUnit, Task, TaskCandidate, User, UserRole
from engine.passwords import hash_password
from engine.permissions import queue_of

from .common import Report, container_for, latency_summary, scratch_database

DIAGRAM = Path(__file__).parent / "data" / "one_task.bpmn"
CATEGORIES = [f"cat-{i:02d}" for i in range(40)]
CHUNK = 10_000


def org_tree(container, units: int) -> list[int]:
    """City → 20 districts → ``units`` departments; returns the department ids."""
    with container.uow() as uow:
        services.create_org_unit(uow, "CITY", "示范市", "city", None, None)
    districts = [f"D{d:02d}" for d in range(20)]
    for code in districts:
        with container.uow() as uow:
            services.create_org_unit(uow, code, f"区{code}", "district", "CITY", None)
    rows = [{"code": f"{districts[i % 20]}-U{i:03d}", "name": f"部门{i}", "kind": "department", "level": 2,
             "path": "/"} for i in range(units)]
    with container.engine.begin() as conn:
        parents = dict(conn.execute(select(OrgUnit.code, OrgUnit.id)).all())
        for row in rows:
            row["parent_id"] = parents[row["code"].split("-")[0]]
        conn.execute(insert(OrgUnit), rows)
        return list(conn.execute(select(OrgUnit.id).where(OrgUnit.kind == "department")).scalars())


def handlers(container, unit_ids: list[int]) -> list[int]:
    password = hash_password("bench-password")
    now = datetime.now(timezone.utc)
    with container.engine.begin() as conn:
        conn.execute(insert(User), [{"username": f"h{u}", "password_hash": password, "display_name": f"h{u}",
                                     "active": True, "created_at": now} for u in unit_ids])
        ids = dict(conn.execute(select(User.username, User.id)).all())
        conn.execute(insert(UserRole), [{"user_id": ids[f"h{u}"], "role": "handler", "org_unit_id": u}
                                        for u in unit_ids])
    return [ids[f"h{u}"] for u in unit_ids]


def open_tasks(container, unit_ids: list[int], total: int, definition_id: int, state: bytes) -> None:
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    queues = {unit: queue_of([TaskCandidate(role="handler", org_unit_id=unit)]) for unit in unit_ids}
    with container.engine.begin() as conn:
        next_case = (conn.scalar(text("SELECT coalesce(max(id), 0) FROM cases")) or 0) + 1
        next_task = (conn.scalar(text("SELECT coalesce(max(id), 0) FROM tasks")) or 0) + 1
    for start in range(0, total, CHUNK):
        cases, tasks, cands = [], [], []
        for i in range(start, min(start + CHUNK, total)):
            unit = unit_ids[i % len(unit_ids)]
            due = now + timedelta(hours=rng.randint(-72, 240))
            cid, tid = next_case + i, next_task + i
            cases.append({"id": cid, "number": f"B{cid:013d}", "definition_id": definition_id,
                          "process_key": "bench_one_task", "status": "running", "title": f"事件{i}",
                          "category": rng.choice(CATEGORIES), "district": f"D{i % 20:02d}", "data": {},
                          "state": state, "version": 1, "created_at": now, "updated_at": now})
            tasks.append({"id": tid, "case_id": cid, "spiff_task_id": "x", "element_id": "Task_handle",
                          "name": "处置", "title": f"事件{i}", "process_key": "bench_one_task",
                          "category": cases[-1]["category"], "district": cases[-1]["district"],
                          "role": "handler", "org_unit_id": unit, "queue": queues[unit],
                          "state": "open", "due_at": due, "warn_at": due - timedelta(hours=8),
                          "priority": rng.choice((30, 50, 50, 50, 70)), "created_at": now, "paused_s": 0,
                          "due_provisional": False, "sla_extensions": []})
            cands.append({"task_id": tid, "role": "handler", "org_unit_id": unit, "queued": True})
        with container.engine.begin() as conn:
            conn.execute(insert(Case), cases)
            conn.execute(insert(Task), tasks)
            conn.execute(insert(TaskCandidate), cands)
    with container.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
            conn.execute(text("SELECT setval('tasks_id_seq', (SELECT max(id) FROM tasks))"))
            conn.execute(text("ANALYZE"))


def _measure(container, user_ids: list[int], samples: int, **filters) -> dict:
    rng = random.Random(11)
    latencies = []
    for _ in range(samples):
        user = rng.choice(user_ids)
        t0 = time.perf_counter()
        with container.uow() as uow:
            services.list_tasks(uow, user, **filters)
        latencies.append(time.perf_counter() - t0)
    return latency_summary(latencies)


def load(container, total: int, units: int, report: Report) -> list[int]:
    """Org tree, one handler per department and ``total`` open tasks spread over them, each on a
    case of its own with a real stored workflow state; returns the handlers' user ids."""
    t0 = time.perf_counter()
    unit_ids = org_tree(container, units)
    user_ids = handlers(container, unit_ids)
    with container.uow() as uow:
        definition, _ = services.deploy(uow, [(DIAGRAM.name, DIAGRAM.read_bytes())], None)
    with container.uow() as uow:
        starter = services.create_user(uow, "starter", "bench-password", ["citizen"], None)
    with container.uow() as uow:
        case = services.start_case(uow, "bench_one_task", {}, starter["id"])
    with container.session_factory() as s:
        state = s.get(Case, case["id"]).state
    open_tasks(container, unit_ids, total, definition["id"], state)
    report.say(f"loaded {total} open tasks over {units} org units in {time.perf_counter() - t0:.0f} s")
    return user_ids


@contextmanager
def task_database(total: int, units: int, report: Report) -> Iterator[tuple[str, Container, list[int]]]:
    """A fresh PostgreSQL database holding :func:`load`'s tasks: (its URL, a container on it,
    the handlers' user ids)."""
    with scratch_database("postgresql") as url:
        container = container_for(url)
        try:
            yield url, container, load(container, total, units, report)
        finally:
            container.engine.dispose()


def run(quick: bool = False) -> dict:
    total, units, samples = (50_000, 500, 200) if quick else (1_000_000, 500, 500)
    report = Report("inbox", f"civicflow bench inbox{' --quick' if quick else ''}")
    with task_database(total, units, report) as (_, container, user_ids):
        figures = {
            "inbox": _measure(container, user_ids, samples),
            "overdue": _measure(container, user_ids, samples, overdue=True),
            "category": _measure(container, user_ids, samples, category="cat-07"),
            "district": _measure(container, user_ids, samples, district="D03"),
        }
        for name, fig in figures.items():
            report.say(f"{name:9} p50 {fig['p50_ms']:6.2f} ms   p95 {fig['p95_ms']:6.2f} ms   p99 {fig['p99_ms']:6.2f} ms")
    report.figures.update(tasks=total, org_units=units, **{f"{k}_p95_ms": v["p95_ms"] for k, v in figures.items()},
                          latencies=figures)
    return report.finish()
