"""撤回: whoever completed a step takes it back, as long as no one has acted on what followed.

The check and the cancel are one conditional UPDATE, so a withdraw racing a claim of the next
step has exactly one winner; the loser gets a 409 and its transaction rolls back."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..errors import Conflict, Forbidden, NotFound
from ..events import DomainEvent
from ..models import Task
from ..models.cases import TASK_LIVE_STATES
from ..permissions import can_see
from ..sla import cancel_timers
from .common import load_actor, require_reason
from .handover import completed_row, previous_human_task, reopen_to, workflow_and_task

_UNTOUCHED_STATES = ("open", "claimed")  # claimed: assigned by the diagram (camunda:assignee), not by a person


def _untouched(row: Task) -> bool:
    return row.state in _UNTOUCHED_STATES and row.acted_at is None and not row.draft and row.delegation is None


def withdraw(uow, task_id: int, actor_id: int, reason: str) -> dict:
    """撤回 on the NEXT step's task ``task_id``: reopen the previous human step, claimed by the
    withdrawer with a fresh deadline. 404 if the actor can neither see the task nor completed
    the step before it, 403 if they did not complete it, 409 once anyone acted on a following
    task (claimed, drafted, delegated, completed) or on losing a race."""
    s = uow.session
    user = load_actor(s, actor_id)
    task = s.get(Task, task_id, options=[joinedload(Task.case)])
    if task is None:
        raise NotFound(f"no task {task_id}")
    case = task.case
    workflow, current = workflow_and_task(uow, task)
    previous = previous_human_task(current) if current is not None else None
    done = completed_row(s, case.id, previous) if previous is not None else None
    mine = done is not None and done.completed_by_id == user.id
    if not mine and not can_see(s, user, task):
        raise NotFound(f"no task {task_id}")
    if task.state not in TASK_LIVE_STATES or case.status != "running":
        raise Conflict(f"task {task.id} is {task.state}", task_id=task.id, case_id=case.id)
    if not mine:
        raise Forbidden("only whoever completed the previous step may withdraw it", task_id=task.id)
    reason = require_reason(reason)  # after the caller: a stranger learns nothing from a 400
    after = {str(t.id) for t in previous if t is not previous}
    rows = s.scalars(select(Task).where(Task.case_id == case.id, Task.id > done.id,
                                        Task.spiff_task_id.in_(after))).all()
    followed = [r for r in rows if r.state != "cancelled"]
    if not followed or not all(_untouched(r) for r in followed):
        raise Conflict("someone has already acted on the next step; it can no longer be withdrawn",
                       task_id=task.id, case_id=case.id)
    ids = [r.id for r in followed]
    cancelled = s.execute(update(Task).where(
        Task.id.in_(ids), Task.state.in_(_UNTOUCHED_STATES), Task.acted_at.is_(None), Task.delegation.is_(None))
        .values(state="cancelled").execution_options(synchronize_session="fetch")).rowcount
    if cancelled != len(ids):
        raise Conflict("the next step was taken up meanwhile; it can no longer be withdrawn",
                       task_id=task.id, case_id=case.id)
    cancel_timers(s, ids)
    reopen_to(uow, case, workflow, previous, user, "task.withdrawn", task.id, reason,
              {"cancelled": [r.element_id for r in followed]}, user.id)
    uow.publish(DomainEvent("task.withdrawn", case.id, task.id))
    uow.commit()
    return {"task_id": task.id, "withdrawn_to": previous.task_spec.bpmn_id}
