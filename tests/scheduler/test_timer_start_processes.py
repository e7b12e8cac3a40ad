"""A timer start event fired by two real `civicflow scheduler` processes on one database: one
new case per occurrence, never two (run on SQLite and, with DATABASE_URL, on PostgreSQL)."""
from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import select

from engine import services
from engine.clock import SystemClock
from engine.models import AuditEvent, Case
from tests.conftest import DATA
from tests.factories.processes import start_scheduler, stop, wait_until_sweeping

PERIOD_S = 2


def _started(container) -> list[datetime]:
    """The occurrence each timer-started case was opened for."""
    with container.session_factory() as s:
        details = s.scalars(select(AuditEvent.detail).join(Case, Case.id == AuditEvent.case_id).where(
            Case.process_key == "timer_fast", AuditEvent.action == "case.started")).all()
    return sorted(datetime.fromisoformat(d["due_at"]) for d in details)


def test_two_schedulers_open_one_case_per_occurrence(container, database_url, tmp_path):
    container.clock = SystemClock()  # deployed now, fired by processes on the wall clock
    logs = [f"scheduler-{i}.log" for i in range(2)]
    procs = [start_scheduler(database_url, tmp_path, name) for name in logs]
    try:
        wait_until_sweeping(tmp_path, logs)
        with container.uow() as uow:
            services.deploy(uow, [("t.bpmn", (DATA / "conformance" / "timer_start_fast.bpmn").read_bytes())], None)
        time.sleep(3 * PERIOD_S + 1.5)
    finally:
        for p in procs:
            stop(p)
    due = _started(container)
    log = "".join((tmp_path / name).read_text() for name in logs)
    assert 2 <= len(due) <= 4, log
    assert len(set(due)) == len(due), due  # no occurrence opened twice
    gaps = [(b - a).total_seconds() for a, b in zip(due, due[1:])]
    assert all(gap == PERIOD_S for gap in gaps), gaps  # one case per period, none skipped
