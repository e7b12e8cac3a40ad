"""The engine's invariant, for every process test: after each step, no running case waits on
nothing (no open task, timer, subscription, external task, child case or incident)."""
from __future__ import annotations

from engine.stuck import stuck_cases


def assert_not_stuck(container, *case_ids: int) -> None:
    """Fail naming the cases that stopped silently (all running cases when none are named)."""
    with container.session_factory() as s:
        stuck = stuck_cases(s, list(case_ids) or None)
    assert not stuck, f"running cases waiting on nothing: {stuck}"


def assert_rows_match_workflow(container, case_id: int) -> None:
    """After any operation: the case's live step rows are exactly the workflow's READY human
    tasks (one row each), each open step with a deadline has one pending breach timer, and no
    pending deadline timer belongs to a step that is no longer live (no orphan, no lost reminder)."""
    from sqlalchemy import select

    from engine.bpmn.loader import case_workflow
    from engine.case_sync import ready_human_tasks
    from engine.models import TASK_LIVE_STATES, Case, Task, Timer

    with container.uow() as uow:
        s = uow.session
        case = s.get(Case, case_id)
        rows = s.scalars(select(Task).where(Task.case_id == case_id, Task.kind == "step",
                                            Task.state.in_(TASK_LIVE_STATES))).all()
        ready = sorted(str(t.id) for t in ready_human_tasks(case_workflow(uow, case))) \
            if case.status == "running" else []
        assert sorted(r.spiff_task_id for r in rows) == ready, (case_id, [r.element_id for r in rows])
        live = {r.id for r in s.scalars(select(Task).where(Task.case_id == case_id,
                                                           Task.state.in_(TASK_LIVE_STATES)))}
        pending = s.execute(select(Timer.task_id, Timer.kind).where(
            Timer.case_id == case_id, Timer.state == "pending", Timer.kind.in_(("sla-warn", "sla-due")))).all()
        assert all(task_id in live for task_id, _ in pending), ("orphan deadline timer", case_id, pending)
        due = [task_id for task_id, kind in pending if kind == "sla-due"]
        for row in rows:
            if row.due_at is not None and row.state != "waiting" and row.paused_at is None:
                assert due.count(row.id) == 1, ("breach timers of", row.element_id, due.count(row.id))


def assert_consistent(container, case_id: int) -> None:
    """Both invariants for one case: it waits on something, and its rows match its workflow."""
    assert_not_stuck(container, case_id)
    assert_rows_match_workflow(container, case_id)
