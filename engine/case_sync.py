"""Keeping inbox rows in step with the workflow after every change of a case."""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import expressions
from .bpmn.specs import human_config
from .candidates import lane_role, parse_group, substitute
from .deadlines import due_times
from .errors import ProcessRefusal
from .events import DomainEvent
from .models import OrgUnit, Task, TaskCandidate, User
from .models.cases import TASK_OPEN_STATES


def ready_human_tasks(workflow) -> list:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if human_config(t.task_spec)]


def _org_unit_id(session, code: str, element: str) -> int:
    unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    if unit_id is None:
        raise ProcessRefusal(f"task {element}: candidate org unit {code!r} does not exist",
                             fields={element: [f"unknown org unit {code!r}"]})
    return unit_id


def _new_row(session, case, spiff_task, now: datetime) -> Task:
    cfg = human_config(spiff_task.task_spec)
    element = spiff_task.task_spec.bpmn_id

    def evaluate(expr: str):
        return expressions.evaluate(expr, spiff_task.data)

    groups = [substitute(g, evaluate) for g in cfg.candidate_groups]
    if not groups and not cfg.assignee:
        groups = [lane_role(cfg.lane)]
    candidates = []
    for group in groups:
        for part in filter(None, (p.strip() for p in group.split(","))):
            cand = parse_group(part)
            org_id = _org_unit_id(session, cand.org_code, element) if cand.org_code else None
            candidates.append(TaskCandidate(role=cand.role, org_unit_id=org_id))
    assignee_id = None
    if cfg.assignee:
        username = substitute(cfg.assignee, evaluate)
        assignee_id = session.scalar(select(User.id).where(User.username == username))
        if assignee_id is None:
            raise ProcessRefusal(f"task {element}: assignee {username!r} is not a user",
                                 fields={element: [f"unknown user {username!r}"]})
    due_at, warn_at = due_times(cfg.due, now, evaluate)
    priority = int(substitute(cfg.priority, evaluate)) if cfg.priority else 50
    first = candidates[0] if candidates else TaskCandidate(role=None, org_unit_id=None)
    return Task(case_id=case.id, spiff_task_id=str(spiff_task.id), element_id=element,
                name=spiff_task.task_spec.bpmn_name or element, title=case.title,
                form_key=cfg.form.key, role=first.role, org_unit_id=first.org_unit_id or case.org_unit_id,
                assignee_id=assignee_id, state="claimed" if assignee_id else "open",
                due_at=due_at, warn_at=warn_at, priority=priority, created_at=now,
                candidates=candidates)


def sync_tasks(uow, case, workflow, now: datetime) -> tuple[list[Task], list[Task]]:
    """Insert rows for newly READY human tasks, cancel rows whose task is no longer READY.

    Returns (opened, cancelled). The caller has already marked a task it completed."""
    session = uow.session
    ready = {str(t.id): t for t in ready_human_tasks(workflow)}
    rows = session.scalars(select(Task).where(Task.case_id == case.id,
                                              Task.state.in_(TASK_OPEN_STATES))).all()
    known = {r.spiff_task_id for r in rows}
    cancelled = []
    for row in rows:
        if row.spiff_task_id not in ready:
            row.state = "cancelled"
            cancelled.append(row)
    opened = [_new_row(session, case, t, now) for sid, t in ready.items() if sid not in known]
    session.add_all(opened)
    session.flush()
    for row in opened:
        uow.publish(DomainEvent("task.created", case.id, row.id, {"element": row.element_id}))
    return opened, cancelled


def workflow_data(workflow) -> dict:
    """The case's current data: what its open tasks (or, at the end, its last task) carry."""
    ready = ready_human_tasks(workflow)
    if ready:
        return dict(ready[0].data)
    last = workflow.last_task
    return dict(last.data) if last is not None else dict(workflow.data)
