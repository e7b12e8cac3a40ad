"""`timers`: 100,000 timers due at once on 1,000 cases, fired by two `civicflow scheduler`
processes on PostgreSQL: fires per second until drained; then the steady lag (fired_at −
fire_at) p99 while 200 new timers come due every second."""
from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

from engine import services
from engine.models import Timer

from .common import Report, container_for, latency_summary, python_command, scratch_database

DIAGRAM = Path(__file__).parent / "data" / "one_task.bpmn"


def _open_tasks(container, cases: int) -> list[tuple[int, int]]:
    """(case id, task id) of ``cases`` cases, each waiting at its one step."""
    with container.uow() as uow:
        services.create_org_unit(uow, "CITY", "示范市", "city", None, None)
    with container.uow() as uow:
        user = services.create_user(uow, "bench", "bench-password", ["citizen"], None)
    with container.uow() as uow:
        services.deploy(uow, [(DIAGRAM.name, DIAGRAM.read_bytes())], None)
    out = []
    for _ in range(cases):
        with container.uow() as uow:
            case = services.start_case(uow, "bench_one_task", {}, user["id"])
        out.append((case["id"], case["tasks"][0]["id"]))
    return out


def _insert(container, tasks: list[tuple[int, int]], at: datetime, n: int) -> None:
    """``n`` deadline warnings due at ``at``, dealt round the tasks (as a morning's warnings
    fall on many cases, not one)."""
    dealt = (tasks[i % len(tasks)] for i in range(n))
    rows = [{"case_id": case_id, "task_id": task_id, "kind": "sla-warn", "fire_at": at, "state": "pending",
             "attempts": 0, "payload": {}} for case_id, task_id in dealt]
    with container.engine.begin() as conn:
        for i in range(0, n, 5000):
            conn.execute(insert(Timer), rows[i:i + 5000])


def _pending(container) -> int:
    with container.session_factory() as s:
        return s.scalar(select(func.count()).select_from(Timer).where(Timer.state == "pending",
                                                                      Timer.kind == "sla-warn"))


def _schedulers(url: str, n: int) -> list[subprocess.Popen]:
    env = dict(os.environ, DATABASE_URL=url, CIVICFLOW_SECRET_KEY="bench")
    return [subprocess.Popen(python_command("scheduler"), env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for _ in range(n)]


def run(quick: bool = False, processes: int = 2) -> dict:
    total, steady_s, cases = (5_000, 10, 100) if quick else (100_000, 30, 1_000)
    report = Report("timers", f"civicflow bench timers{' --quick' if quick else ''}")
    with scratch_database("postgresql") as url:
        container = container_for(url)
        tasks = _open_tasks(container, cases)
        report.say(f"{total} timers due at once on {cases} cases; {processes} scheduler processes on PostgreSQL")
        procs = _schedulers(url, processes)
        try:
            due = datetime.now(timezone.utc) + timedelta(seconds=5)  # the schedulers are up by then
            _insert(container, tasks, due, total)
            time.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds()))
            start = time.perf_counter()
            while _pending(container):
                time.sleep(0.1)
            drain_s = time.perf_counter() - start
            fires = total / drain_s
            report.say(f"drained in {drain_s:.1f} s: {fires:.0f} fires/s")

            report.say(f"steady: 200 timers due per second for {steady_s} s")
            t0 = datetime.now(timezone.utc)
            for second in range(steady_s):
                _insert(container, tasks, t0 + timedelta(seconds=second), 200)
                time.sleep(max(0.0, (second + 1) - (datetime.now(timezone.utc) - t0).total_seconds()))
            while _pending(container):
                time.sleep(0.2)
        finally:
            for p in procs:
                p.terminate()
                p.wait(10)
        with container.session_factory() as s:
            lags = [(f - d).total_seconds() for d, f in s.execute(select(Timer.fire_at, Timer.fired_at).where(
                Timer.kind == "sla-warn", Timer.fire_at >= t0))]
        lag = latency_summary(lags)
        report.say(f"steady lag: p50 {lag['p50_ms']:.0f} ms, p95 {lag['p95_ms']:.0f} ms, p99 {lag['p99_ms']:.0f} ms")
        container.engine.dispose()
    report.figures.update(timers=total, cases=cases, processes=processes, drain_s=round(drain_s, 2),
                          fires_per_s=round(fires, 1), steady_lag=lag, lag_p99_s=round(lag["p99_ms"] / 1000, 3))
    return report.finish()
