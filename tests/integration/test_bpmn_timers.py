"""BPMN timer events on the durable-timer mechanism: intermediate catch, non-interrupting
boundary (with an expression), and a timer start with a cycle. Wall-clock time, short timers."""
from __future__ import annotations

import time

from sqlalchemy import select

from engine import services
from engine.clock import SystemClock
from engine.models import Task, Timer
from engine.timers import sweep
from tests.conftest import DATA
from tests.factories.directory import make_org_tree, make_user


def _open(container, case_id: int) -> list[str]:
    with container.session_factory() as s:
        return sorted(s.scalars(select(Task.element_id).where(Task.case_id == case_id,
                                                              Task.state.in_(("open", "claimed")))))


def _setup(container, diagram: str) -> int:
    container.clock = SystemClock()
    make_org_tree(container)
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [(diagram, (DATA / diagram).read_bytes())], None)
    return citizen


def _sweep_until(container, predicate, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sweep(container, "test")
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_intermediate_wait_then_non_interrupting_reminder(container):
    citizen = _setup(container, "reminder_and_wait.bpmn")
    with container.uow() as uow:
        case = services.start_case(uow, "reminder_and_wait", {"remind_after": "PT1S"}, citizen)
    assert case["tasks"] == []  # waiting in the 冷静期
    assert _sweep_until(container, lambda: _open(container, case["id"]) == ["Task_reply"])
    assert _sweep_until(container, lambda: _open(container, case["id"]) == ["Task_remind", "Task_reply"])
    with container.session_factory() as s:  # nothing left to fire: the reminder fired once
        assert s.scalars(select(Timer.state).where(Timer.case_id == case["id"])).all() == ["fired", "fired"]


def test_timer_start_with_a_cycle_opens_work_each_cycle(container):
    citizen = _setup(container, "timer_start_cycle.bpmn")
    with container.uow() as uow:
        case = services.start_case(uow, "patrol", {}, citizen)
    assert _sweep_until(container, lambda: _open(container, case["id"]) == ["Task_patrol", "Task_patrol"])
    time.sleep(1.5)
    sweep(container, "test")
    assert _open(container, case["id"]) == ["Task_patrol", "Task_patrol"]  # R2: two cycles, no more
