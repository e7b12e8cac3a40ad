"""Signing for a step (加签): an added signer's row is signed through the ordinary completion,
and a step with signers after it is held until they have signed. ``complete_task`` hands both
cases here first."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from .. import audit
from ..calendar.store import calendar_for
from ..errors import Conflict, Forbidden, InvalidInput
from ..bpmn.specs import human_config
from ..events import DomainEvent
from ..forms_runtime import validate
from ..models import Task, User
from ..models.cases import TASK_LIVE_STATES, TASK_OPEN_STATES, TASK_WAITING
from ..permissions import can_act
from ..sla import cancel_timers, pause, resume, start_clock
from .common import task_spec
from .queries import case_summary, task_rows_by_id

# what a signer fills in: approve or not, with the comment beside it
SIGNER_FORM = {"key": None, "fields": [{"name": "approved", "type": "boolean", "required": True,
                                         "label": "同意", "choices": [], "min": None, "max": None}]}


def complete_signer(uow, user: User, task: Task, data: object, comment: str | None) -> dict | None:
    """``complete_task``'s turn for 加签: an added signer's row signs, and a step with signers
    waiting after it is held for them. None: an ordinary completion, which goes on as before."""
    if task.kind == "signer":
        return _sign(uow, user, task, data, comment)
    after = [r for r in added_signers(uow.session, task, live=True) if r.signer_position == "after"]
    return _hold(uow, user, task, data, comment, after) if after else None


def _hold(uow, user: User, task: Task, data: object, comment: str | None, after: list[Task]) -> dict:
    """The step's data is checked and kept in ``draft``; it waits while its after-signers sign."""
    s, now = uow.session, uow.clock.now()
    if not can_act(user, task):
        raise Forbidden("this task is not yours to complete", task_id=task.id)
    if task.case.status != "running":
        raise Conflict(f"the case is {task.case.status}", case_id=task.case_id)
    spec = task_spec(uow, task)
    clean = validate(human_config(spec).form, spec, data)
    task.draft, task.assignee_id, task.state = clean, user.id, TASK_WAITING
    pause(s, task, now)
    cal = calendar_for(uow)
    for row in after:
        row.state = "claimed"
        start_clock(s, row, task.sla_limit, now, cal)
        announce(uow, row)
    audit.append(s, now, user, "task.awaiting_signers", case_id=task.case_id, task_id=task.id,
                 detail={"data": clean, "users": [username(s, r) for r in after]}
                 | ({"comment": comment.strip()} if comment and comment.strip() else {}))
    uow.commit()
    return _outcome(s, task, [r.id for r in after], now)


def _sign(uow, user: User, row: Task, data: object, comment: str | None) -> dict:
    s, now = uow.session, uow.clock.now()
    if row.assignee_id != user.id:
        raise Forbidden("this signature is not yours to give", task_id=row.id)
    if row.case.status != "running":
        raise Conflict(f"the case is {row.case.status}", case_id=row.case_id)
    approved = _approved(data)
    # the parent locked first: of two last signers at once, the second sees the first's signature
    parent = s.get(Task, row.parent_task_id, with_for_update=True, populate_existing=True)
    done = s.execute(update(Task).where(Task.id == row.id, Task.state.in_(TASK_OPEN_STATES)).values(
        state="completed", completed_by_id=user.id, completed_at=now,
        outcome="approved" if approved else "rejected")).rowcount
    if done != 1:
        raise Conflict(f"task {row.id} was already signed", task_id=row.id)
    cancel_timers(s, [row.id])
    left = [r for r in added_signers(s, parent, live=True) if r.signer_position == row.signer_position]
    rejected_after = row.signer_position == "after" and not approved
    detail = {"parent": parent.id, "position": row.signer_position, "approved": approved}
    if comment and comment.strip():
        detail["comment"] = comment.strip()
    if rejected_after:
        detail["outcome"] = "the completion is cancelled; the step is back with its owner to change"
    audit.append(s, now, user, "task.signed", case_id=row.case_id, task_id=row.id, detail=detail,
                 reason=comment.strip() if comment and comment.strip() else None)
    if rejected_after:
        for other in left:
            other.state = "cancelled"
        cancel_timers(s, [r.id for r in left])
        reopen(uow, parent, now)
    elif not left and row.signer_position == "after":
        return run_deferred(uow, parent)
    elif not left:
        reopen(uow, parent, now)
    uow.commit()
    return _outcome(s, parent, [parent.id] if parent.state in TASK_OPEN_STATES else [], now)


def run_deferred(uow, parent: Task) -> dict:
    """The held completion, as its completer and in this transaction: the step runs with its draft."""
    from .tasks import complete_task  # complete_task hands signer cases here: a late import breaks the cycle

    parent.state = "claimed"
    uow.session.flush()
    return complete_task(uow, parent.id, dict(parent.draft), parent.assignee_id)


def reopen(uow, task: Task, now: datetime) -> None:
    task.state = "claimed" if task.assignee_id else "open"
    resume(uow.session, task, now, calendar_for(uow))


def _outcome(s, task: Task, ids: list[int], now: datetime) -> dict:
    return {"case": case_summary(task.case) | {"data": task.case.data}, "next_tasks": task_rows_by_id(s, ids, now)}


def _approved(data: object) -> bool:
    if not isinstance(data, dict) or set(data) != {"approved"} or not isinstance(data["approved"], bool):
        raise InvalidInput("a signer gives data {approved: true|false}",
                           fields={"data.approved": ["required, true or false"]})
    return data["approved"]


def added_signers(s, task: Task, live: bool = False) -> list[Task]:
    """The signers added to a step (``live``: those still to sign)."""
    q = select(Task).where(Task.parent_task_id == task.id, Task.kind == "signer")
    return list(s.scalars(q.where(Task.state.in_(TASK_LIVE_STATES)) if live else q.order_by(Task.id)))


def announce(uow, row: Task) -> None:
    """A signer's row is open: told like any new task (the notifier subscribes to this)."""
    uow.publish(DomainEvent("task.created", row.case_id, row.id, {"element": row.element_id}))


def username(s, row: Task) -> str:
    return s.get(User, row.assignee_id).username
