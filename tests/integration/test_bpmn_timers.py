"""BPMN timer events on the durable-timer mechanism: intermediate catch, non-interrupting
boundary (with an expression), and a timer start with a cycle (a new case per occurrence).
Wall-clock time, short timers."""
from __future__ import annotations

import time

from sqlalchemy import select

from engine import services
from engine.clock import SystemClock
from engine.models import Case, Task, Timer
from engine.process_starts import sweep as sweep_process_starts
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


def _sweep_until(container, predicate, timeout_s: float = 10, sweeper=sweep) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sweeper(container, "test")
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


def test_a_timer_start_with_a_cycle_opens_a_new_case_each_cycle(container):
    citizen = _setup(container, "timer_start_cycle.bpmn")

    def patrols() -> list[list[str]]:
        with container.session_factory() as s:
            ids = s.scalars(select(Case.id).where(Case.process_key == "patrol").order_by(Case.id)).all()
        return [_open(container, case_id) for case_id in ids]

    with container.uow() as uow:  # started by a person, the case does not wait on the start timer too
        by_hand = services.start_case(uow, "patrol", {}, citizen)
    assert [t["element_id"] for t in by_hand["tasks"]] == ["Task_patrol"]
    assert _sweep_until(container, lambda: len(patrols()) == 3, sweeper=sweep_process_starts)
    time.sleep(1.5)
    sweep_process_starts(container, "test")
    assert patrols() == [["Task_patrol"]] * 3  # R2: two cases by the timer, no more
