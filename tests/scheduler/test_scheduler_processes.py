"""Timers fired by real `civicflow scheduler` processes against the test database."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine import services
from engine.clock import SystemClock
from engine.models import AuditEvent, Task, Timer
from tests.conftest import DATA, ON_POSTGRES
from tests.factories.directory import make_org_tree, make_user
from tests.factories.processes import start_scheduler, stop, wait_until_sweeping

def _wait_for(predicate, timeout_s: float) -> float | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return time.time()
        time.sleep(0.1)
    return None


@pytest.fixture
def real_time(container):
    container.clock = SystemClock()  # BPMN timers run on wall-clock time
    return container


def _start_case(container, citizen: int) -> dict:
    with container.uow() as uow:
        return services.start_case(uow, "quick_escalation", {}, citizen)


def _escalated(container, case_id: int) -> bool:
    with container.session_factory() as s:
        return s.scalar(select(Task.id).where(Task.case_id == case_id, Task.element_id == "Task_supervise",
                                              Task.state == "open")) is not None


def _fired(container, case_id: int) -> int:
    with container.session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "timer.fired"))


def test_a_three_second_boundary_timer_escalates_and_survives_a_restart(real_time, database_url, tmp_path):
    container = real_time
    make_org_tree(container)
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("t.bpmn", (DATA / "boundary_timer.bpmn").read_bytes())], None)

    proc = start_scheduler(database_url, tmp_path)
    try:
        before = datetime.now(timezone.utc)
        case = _start_case(container, citizen)
        started = datetime.now(timezone.utc)
        with container.session_factory() as s:
            due = s.scalar(select(Timer.fire_at).where(Timer.case_id == case["id"], Timer.kind == "bpmn-timer"))
        # PT3S from the moment the task opened, which lies between before and started
        assert due is not None and timedelta(seconds=3) <= due - before <= timedelta(seconds=3) + (started - before)
        escalated_at = _wait_for(lambda: _escalated(container, case["id"]), 20)
        assert escalated_at is not None, (tmp_path / "scheduler.log").read_text()
        assert escalated_at - due.timestamp() <= 10  # the one-second sweep, with room for a loaded machine
        with container.session_factory() as s:  # the interrupted task left the inbox
            assert s.scalar(select(Task.state).where(Task.case_id == case["id"],
                                                     Task.element_id == "Task_handle")) == "cancelled"
    finally:
        stop(proc)

    missed = _start_case(container, citizen)
    time.sleep(4)  # due while no scheduler runs
    assert not _escalated(container, missed["id"])
    proc = start_scheduler(database_url, tmp_path)
    try:
        assert _wait_for(lambda: _escalated(container, missed["id"]), 20) is not None
        time.sleep(2)  # several more sweeps
        assert _fired(container, missed["id"]) == 1
    finally:
        stop(proc)


def test_three_schedulers_fire_each_due_timer_exactly_once(real_time, database_url, tmp_path):
    container = real_time
    n = 5000 if ON_POSTGRES else 600
    make_org_tree(container)
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("t.bpmn", (DATA / "boundary_timer.bpmn").read_bytes())], None)
    case = _start_case(container, citizen)
    task_id = case["tasks"][0]["id"]
    with container.uow() as uow:  # the case's own boundary timer is moved far off
        uow.session.query(Timer).filter(Timer.case_id == case["id"]).update(
            {"fire_at": datetime.now(timezone.utc) + timedelta(days=1)})
        uow.commit()
    logs = [f"scheduler-{i}.log" for i in range(3)]
    procs = [start_scheduler(database_url, tmp_path, name) for name in logs]
    try:
        # due once all three have swept at least once (a loaded machine may take seconds to start one)
        wait_until_sweeping(tmp_path, logs)
        with container.uow() as uow:
            due = datetime.now(timezone.utc) + timedelta(seconds=1)
            uow.session.add_all(Timer(case_id=case["id"], task_id=task_id, kind="sla-warn", fire_at=due)
                                for _ in range(n))
            uow.commit()

        def drained() -> bool:
            with container.session_factory() as s:
                return s.scalar(select(func.count()).select_from(Timer).where(
                    Timer.kind == "sla-warn", Timer.state == "pending")) == 0
        assert _wait_for(drained, 240) is not None
    finally:
        for p in procs:
            stop(p)
    with container.session_factory() as s:
        fired_ids = [e.detail["timer_id"] for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.sla_warning"))]
        owners = set(s.scalars(select(Timer.lease_owner).where(Timer.kind == "sla-warn")))
    assert len(fired_ids) == n and len(set(fired_ids)) == n
    if ON_POSTGRES:  # they really ran side by side (which ones win each claim is up to the database)
        assert len(owners) >= 2
    # SQLite has one write lock and hands it on unfairly: a scheduler firing its warnings in
    # batches takes it back between them before the others' busy handlers wake, and may fire every
    # claim alone. Each timer still fires once, which is what this test is for there.
