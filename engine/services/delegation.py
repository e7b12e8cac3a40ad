"""委派 (Camunda's DelegationState): the person working a task lets a colleague fill it in, and
the task comes back to them to complete. Unlike 转办 (handover.transfer) the task stays theirs:
they are its owner, and only they complete it, with the delegate's data as a draft."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..attachments.links import check_attachment_ids, form_attachment_ids, link_form_attachments
from ..bpmn.specs import human_config
from ..errors import Conflict, Forbidden, InvalidInput, ProcessRefusal
from ..events import DomainEvent
from ..forms_runtime import validate
from ..models import Task, User
from ..permissions import is_staff, may_work
from .common import require_reason, task_spec, visible_open_task
from .handover import own_open_task


def _delegate_target(s, actor: User, task: Task, username: str | None) -> User:
    """An active staff user other than the actor who may work the task. A task with no role
    (one named signer of a countersign) has no candidate role to go by, so the delegate must
    hold one of the actor's own roles instead."""
    if not username or not str(username).strip():
        raise InvalidInput("whom to delegate to?", fields={"to_user": ["required"]})
    target = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if target is None:
        raise InvalidInput("unknown user", fields={"to_user": [f"no user {username!r}"]})
    if target.id == actor.id:
        raise ProcessRefusal("you cannot delegate a task to yourself", fields={"to_user": ["that is you"]})
    if not is_staff(target) or target.has_role("citizen"):
        raise ProcessRefusal(f"{username} is not staff", fields={"to_user": ["a task is delegated to staff only"]})
    if task.role is not None:
        allowed = may_work(target, task, None)
    else:
        mine = {r.role for r in actor.roles if r.role != "citizen"}
        allowed = may_work(target, task, None) or any(r.role in mine for r in target.roles)
    if not allowed:
        raise ProcessRefusal(f"{username} may not work this task",
                             fields={"to_user": ["does not hold the role this task needs"]})
    return target

def delegate(uow, task_id: int, actor_id: int, to_user: str | None, reason: str | None) -> dict:
    """委派 by the person working the task (an unclaimed task is claimed by the act). The delegate
    becomes the assignee, the actor its owner; the deadline and its timers are untouched.
    A task already out with a delegate is a Conflict."""
    reason = require_reason(reason)
    user, task = own_open_task(uow, task_id, actor_id)
    if task.delegation == "pending":
        raise Conflict("this task is already delegated; it must be resolved first", task_id=task.id)
    s, now = uow.session, uow.clock.now()
    target = _delegate_target(s, user, task, to_user)
    if task.assignee_id is None:
        audit.append(s, now, user, "task.claimed", case_id=task.case_id, task_id=task.id)
    task.owner_id, task.assignee_id = user.id, target.id
    task.state, task.delegation = "claimed", "pending"
    audit.append(s, now, user, "task.delegated", case_id=task.case_id, task_id=task.id, reason=reason,
                 detail={"to_user": target.username})
    uow.publish(DomainEvent("task.delegated", task.case_id, task.id,
                            {"owner_id": user.id, "delegate_id": target.id}))
    uow.commit()
    return {"task_id": task.id, "owner": user.username, "assignee": target.username, "delegation": "pending"}

def resolve(uow, task_id: int, actor_id: int, data: object, comment: str | None = None) -> dict:
    """The delegate hands the task back: ``data`` is checked against the task's form and kept
    as its draft, which the owner's completion starts from. Only the delegate, only while the
    delegation is pending."""
    user, task = visible_open_task(uow, task_id, actor_id)
    if task.delegation != "pending":
        raise Conflict("this task is not out with a delegate", task_id=task.id)
    if task.assignee_id != user.id:
        raise Forbidden("only the delegate may resolve this task", task_id=task.id)
    if task.case.status != "running":
        raise Conflict(f"the case is {task.case.status}", case_id=task.case_id)
    spec = task_spec(uow, task)
    clean = validate(human_config(spec).form, spec, data)
    s, now = uow.session, uow.clock.now()
    files = form_attachment_ids(human_config(spec).form, spec, clean)
    check_attachment_ids(s, user, files)  # the delegate's photos: linked now, so the owner may use them
    link_form_attachments(s, task.case_id, files, task_id=task.id, at=now)
    task.draft = dict(task.draft or {}) | clean  # a new dict: the JSON column sees the change
    task.assignee_id, task.delegation = task.owner_id, "resolved"
    comment = comment.strip() if comment and comment.strip() else None
    audit.append(s, now, user, "task.resolved", case_id=task.case_id, task_id=task.id,
                 detail={"data": clean} | ({"comment": comment} if comment else {}))
    uow.publish(DomainEvent("task.resolved", task.case_id, task.id,
                            {"owner_id": task.owner_id, "delegate_id": user.id}))
    uow.commit()
    owner = s.get(User, task.owner_id)
    return {"task_id": task.id, "owner": owner.username if owner else None,
            "assignee": owner.username if owner else None, "delegation": "resolved", "draft": task.draft}
