"""Handing a task on: transfer (转办) to a colleague or another org unit, and return (退回) to
the previous human step. Supervisors' reassign uses the same move."""
from __future__ import annotations


from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .. import audit
from ..bpmn.loader import case_workflow, find_task
from ..bpmn.specs import human_config
from ..case_sync import persist, ready_human_tasks
from ..errors import Conflict, Forbidden, InvalidInput, ProcessRefusal
from ..events import DomainEvent
from ..models import OrgUnit, Task, TaskCandidate, User, UserRole
from ..permissions import can_act, matches, may_work
from .common import require_reason, run_engine, visible_open_task


def move_task(s, task: Task, to_user: str | None, to_org_unit: str | None,
              paths: list[str] | None, candidates_only: bool) -> User | None:
    """Point the task at a user (claimed by them) or at the same role in another org unit.

    Only someone who may work the task is a target: its candidate role held within ``paths``
    (a supervisor's subtree; None: anywhere), and with ``candidates_only`` (转办) one of its
    current candidates. An org unit must lie within ``paths`` and have an active holder of the
    role. A refused move changes nothing."""
    if bool(to_user) == bool(to_org_unit):
        raise InvalidInput("name exactly one of to_user and to_org_unit",
                           fields={"to_user": ["or to_org_unit, not both"]})
    if to_user:
        target = _target_user(s, task, to_user, paths, candidates_only)
        task.assignee_id, task.state = target.id, "claimed"
        return target
    unit = _target_unit(s, task, to_org_unit, paths)
    task.candidates = [TaskCandidate(role=task.role, org_unit_id=unit.id)]
    task.org_unit_id, task.assignee_id, task.state = unit.id, None, "open"
    return None


def _target_user(s, task: Task, username: str, paths: list[str] | None, candidates_only: bool) -> User:
    target = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if target is None:
        raise InvalidInput("unknown user", fields={"to_user": [f"no user {username!r}"]})
    if not may_work(target, task, paths) or (candidates_only and not matches(target, task.candidates)):
        raise ProcessRefusal(f"{username} may not work this task",
                             fields={"to_user": ["not a candidate for this task within your org units"]})
    return target


def _target_unit(s, task: Task, code: str, paths: list[str] | None) -> OrgUnit:
    unit = s.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput("unknown org unit", fields={"to_org_unit": [f"no org unit {code!r}"]})
    if paths is not None and not any(unit.path.startswith(p) for p in paths):
        raise ProcessRefusal(f"{code} is outside your org units", fields={"to_org_unit": ["outside your org units"]})
    if task.role is None:
        raise ProcessRefusal("this task has no candidate role to send to another org unit",
                             fields={"to_org_unit": ["the task has no candidate role"]})
    holder = s.scalar(select(UserRole.id).join(User, User.id == UserRole.user_id).where(
        UserRole.role == task.role, UserRole.org_unit_id == unit.id, User.active.is_(True)).limit(1))
    if holder is None:
        raise ProcessRefusal(f"no one in {code} holds the role {task.role}",
                             fields={"to_org_unit": [f"no active {task.role} in {code}"]})
    return unit


def _own_open_task(uow, task_id: int, actor_id: int) -> tuple[User, Task]:
    user, task = visible_open_task(uow, task_id, actor_id)
    if not can_act(user, task):
        raise Forbidden("only the person working the task may hand it on", task_id=task.id)
    if task.case.status != "running":
        raise Conflict(f"the case is {task.case.status}", case_id=task.case_id)
    return user, task


def transfer(uow, task_id: int, actor_id: int, reason: str, to_user: str | None = None,
             to_org_unit: str | None = None) -> dict:
    """转办: a colleague who is also a candidate, or the same role in another org unit."""
    reason = require_reason(reason)
    user, task = _own_open_task(uow, task_id, actor_id)
    s, now = uow.session, uow.clock.now()
    move_task(s, task, to_user, to_org_unit, paths=None, candidates_only=True)
    audit.append(s, now, user, "task.transferred", case_id=task.case_id, task_id=task.id, reason=reason,
                 detail={"to_user": to_user, "to_org_unit": to_org_unit})
    uow.publish(DomainEvent("task.transferred", task.case_id, task.id))
    uow.commit()
    return {"task_id": task.id, "assignee": to_user, "org_unit": to_org_unit}


def _previous_human_task(spiff_task):
    node = spiff_task.parent
    while node is not None:
        if human_config(node.task_spec) is not None and node.state == TaskState.COMPLETED:
            return node
        node = node.parent
    return None


def return_task(uow, task_id: int, actor_id: int, reason: str) -> dict:
    """退回: reopen the previous human step (its data as it was) and withdraw this one. Refused
    while parallel steps are open, whose work a reset would silently discard."""
    reason = require_reason(reason)
    user, task = _own_open_task(uow, task_id, actor_id)
    now, case = uow.clock.now(), task.case
    workflow = case_workflow(uow, case)
    current = find_task(workflow, task.spiff_task_id)
    if len(ready_human_tasks(workflow)) > 1:
        raise ProcessRefusal("other steps of this case are open in parallel; return is not possible here")
    previous = _previous_human_task(current) if current is not None else None
    if previous is None:
        raise ProcessRefusal("there is no earlier step to return this task to")
    run_engine(lambda: workflow.reset_from_task_id(previous.id))
    opened = run_engine(lambda: persist(uow, case, workflow, now, user, "task.returned", task_id=task.id,
                                        detail={"to_element": previous.task_spec.bpmn_id}, reason=reason))
    uow.publish(DomainEvent("task.returned", case.id, task.id))
    uow.commit()
    return {"task_id": task.id, "returned_to": [{"id": t.id, "element_id": t.element_id, "name": t.name}
                                                 for t in opened]}
