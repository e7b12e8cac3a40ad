"""What the administration told a citizen before a step of theirs (补正要求, 审批意见): the
reasons staff gave in the completions since the citizen last acted on the case, each with its
step and department, never who wrote it."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound
from ..models import AuditEvent, OrgUnit, Task
from ..permissions import can_act
from .common import load_actor, visible_task

OWN_ACTIONS = ("case.started", "task.completed", "task.resolved")


def step_notes(uow, task_id: int, actor_id: int) -> list[dict]:
    """``[{step, department, reason}]`` oldest first, for the one who may do the step now;
    NotFound for anyone else, as for a task that does not exist."""
    s = uow.session
    user = load_actor(s, actor_id)
    task = visible_task(s, user, task_id)
    if not can_act(user, task):
        raise NotFound(f"no task {task_id}")
    rows = s.execute(select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.reason, Task.name, OrgUnit.name)
                     .outerjoin(Task, Task.id == AuditEvent.task_id)
                     .outerjoin(OrgUnit, OrgUnit.id == Task.org_unit_id)
                     .where(AuditEvent.case_id == task.case_id, AuditEvent.at <= task.created_at)
                     .order_by(AuditEvent.seq)).all()
    notes: list[dict] = []
    for actor, action, reason, step, department in rows:
        if actor == user.id and action in OWN_ACTIONS:
            notes = []  # what came before the citizen's own last step was answered by it
        elif action in OWN_ACTIONS and reason:
            notes.append({"step": step, "department": department, "reason": reason})
    return notes
