"""What the administration told a citizen before a step of theirs (补正要求, 审批意见): the
answers to the fields marked ``to_requester`` (engine/case_fields.py) in the completions since
the citizen last acted on the case, each with its step and department, never who wrote it. The
staff's other notes (核查意见, 定级说明, …) are theirs alone."""
from __future__ import annotations

from sqlalchemy import select

from ..bpmn.specs import human_config
from ..case_fields import told_fields
from ..errors import NotFound
from ..models import AuditEvent, OrgUnit, Task
from ..permissions import can_act
from .common import load_actor, task_spec, visible_task

OWN_ACTIONS = ("case.started", "task.completed", "task.resolved")


def step_notes(uow, task_id: int, actor_id: int) -> list[dict]:
    """``[{step, department, reason}]`` oldest first, for the one who may do the step now;
    NotFound for anyone else, as for a task that does not exist."""
    s = uow.session
    user = load_actor(s, actor_id)
    task = visible_task(s, user, task_id)
    if not can_act(user, task):
        raise NotFound(f"no task {task_id}")
    rows = s.execute(select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.detail, Task, OrgUnit.name)
                     .outerjoin(Task, Task.id == AuditEvent.task_id)
                     .outerjoin(OrgUnit, OrgUnit.id == Task.org_unit_id)
                     .where(AuditEvent.case_id == task.case_id, AuditEvent.at <= task.created_at)
                     .order_by(AuditEvent.id)).all()
    notes: list[dict] = []
    for actor, action, detail, step, department in rows:
        if actor == user.id and action in OWN_ACTIONS:
            notes = []  # what came before the citizen's own last step was answered by it
        elif action in OWN_ACTIONS and step is not None and (told := _told(uow, step, detail)):
            notes.append({"step": step.name, "department": department, "reason": told})
    return notes


def _told(uow, step: Task, detail: dict) -> str | None:
    """The answers a completion gave to its form's ``to_requester`` fields, enum values as their labels."""
    form = human_config(task_spec(uow, step)).form
    data, labels = detail.get("data") or {}, {f.name: dict(f.choices) for f in form.fields}
    said = [str(labels[name].get(data[name], data[name])) for name in told_fields(form)
            if data.get(name) not in (None, "")]
    return "；".join(said) or None
