"""`statements`: where a completion's time goes on PostgreSQL. First what one primary-key
statement costs at each layer (the driver alone, SQLAlchemy Core with the statement built once
or built per call, the ORM), then the engine's main path with every statement counted and timed:
per completion, the statements, the time inside the driver, the commit, and the Python around them."""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import bindparam, event, select, text
from sqlalchemy.orm import Session

from engine import services
from engine.models import Case, Task

from .common import Report, container_for, scratch_database
from .main_path import STEPS, run_engine_case, setup_directory


def _per_call_ms(fn: Callable[[], object], n: int) -> float:
    for _ in range(min(n, 50)):
        fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def _layers(container, n: int) -> dict[str, float]:
    """One statement's cost per layer, on rows the main path wrote."""
    with container.session_factory() as s:
        task_id, case_id = s.execute(select(Task.id, Task.case_id).limit(1)).one()
    raw = container.engine.raw_connection()
    cur = raw.cursor()

    def raw_select(sql: str, *args) -> Callable[[], object]:
        return lambda: (cur.execute(sql, args or None), cur.fetchall())

    prebuilt = select(Task).where(Task.id == bindparam("id"))
    out = {"driver: SELECT 1": _per_call_ms(raw_select("SELECT 1"), n),
           "driver: task by id": _per_call_ms(raw_select("SELECT * FROM tasks WHERE id = %s", task_id), n),
           "driver: case by id": _per_call_ms(raw_select("SELECT * FROM cases WHERE id = %s", case_id), n)}
    raw.rollback()
    raw.close()
    with container.engine.connect() as conn:
        out["Core: SELECT 1"] = _per_call_ms(lambda: conn.execute(text("SELECT 1")).all(), n)
        out["Core: task by id, built once"] = _per_call_ms(lambda: conn.execute(prebuilt, {"id": task_id}).all(), n)
        out["Core: task by id, built per call"] = _per_call_ms(
            lambda: conn.execute(select(Task).where(Task.id == task_id)).all(), n)
        out["Core: case by id (JSON data, state)"] = _per_call_ms(
            lambda: conn.execute(select(Case).where(Case.id == case_id)).all(), n)
    with Session(container.engine) as s:
        out["ORM: task by id (and its candidates)"] = _per_call_ms(
            lambda: (s.expunge_all(), s.get(Task, task_id)), n)
        out["ORM: case by id"] = _per_call_ms(lambda: (s.expunge_all(), s.get(Case, case_id)), n)
    out["statement built (no database)"] = _per_call_ms(
        lambda: select(Task).where(Task.id == task_id, Task.state.in_(("open", "claimed"))), n)
    return {k: round(v, 3) for k, v in out.items()}


def _completions(container, users: dict[str, int], cases: int) -> dict[str, float]:
    """The main path's completions with every statement counted and timed."""
    acc = {"statements": 0, "driver_s": 0.0, "commit_s": 0.0, "total_s": 0.0, "completions": 0}
    started, inside = [0.0], [False]

    def before(*_):
        started[0] = time.perf_counter()

    def after(*_):
        if inside[0]:
            acc["statements"] += 1
            acc["driver_s"] += time.perf_counter() - started[0]

    def commit_starts(_conn):
        started[0] = time.perf_counter()

    def committed(_session):
        if inside[0]:
            acc["commit_s"] += time.perf_counter() - started[0]

    complete = services.complete_task

    def timed(*args, **kwargs):
        inside[0] = True
        t0 = time.perf_counter()
        try:
            return complete(*args, **kwargs)
        finally:
            acc["total_s"] += time.perf_counter() - t0
            acc["completions"] += 1
            inside[0] = False

    hooks = [(container.engine, "before_cursor_execute", before), (container.engine, "after_cursor_execute", after),
             (container.engine, "commit", commit_starts), (Session, "after_commit", committed)]
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    services.complete_task = timed
    try:
        for _ in range(cases):
            run_engine_case(container, users)
    finally:
        services.complete_task = complete
        for target, name, fn in hooks:
            event.remove(target, name, fn)
    n = acc["completions"]
    total, driver, commit = (acc[k] / n * 1000 for k in ("total_s", "driver_s", "commit_s"))
    return {"statements_per_completion": round(acc["statements"] / n, 1), "ms_per_completion": round(total, 2),
            "driver_ms": round(driver, 2), "commit_ms": round(commit, 2),
            "python_ms": round(total - driver - commit, 2), "completions": n}


def run(quick: bool = False) -> dict:
    cases, n = (20, 300) if quick else (100, 2000)
    report = Report("statements", f"civicflow bench statements{' --quick' if quick else ''}")
    with scratch_database("postgresql") as url:
        container = container_for(url)
        users = setup_directory(container)
        run_engine_case(container, users)  # warm up, and rows to read
        layers = _layers(container, n)
        for label, ms in layers.items():
            report.say(f"{label:42} {ms:.3f} ms")
        path = _completions(container, users, cases)
        container.engine.dispose()
    report.say(f"main path on PostgreSQL ({path['completions']} completions of {len(STEPS)} steps each case): "
               f"{path['statements_per_completion']} statements and {path['ms_per_completion']} ms per completion: "
               f"{path['driver_ms']} ms in the driver, {path['commit_ms']} ms committing, "
               f"{path['python_ms']} ms of Python around them")
    report.figures.update(layers_ms=layers, **path)
    return report.finish()
