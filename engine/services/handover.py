"""Handing a task on: transfer (转办) to a colleague or another org unit, and return (退回) to
an earlier human step. Supervisors' reassign uses the same move; 撤回 (withdraw.py) reuses the reset."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .. import audit
from ..bpmn.loader import case_workflow, find_task
from ..bpmn.specs import human_config
from ..case_sync import persist, ready_human_tasks
from ..errors import Conflict, Forbidden, InvalidInput, ProcessRefusal
from ..events import DomainEvent
from ..models import OrgUnit, Task, TaskCandidate, User, UserRole
from ..models.cases import TASK_LIVE_STATES
from ..permissions import can_act, matches, may_work, set_candidates
from .common import (refuse_citizen_handover, refuse_while_delegated, require_reason, run_engine,
                     visible_open_task)


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
    set_candidates(task, [TaskCandidate(role=task.role, org_unit_id=unit.id)])
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


def own_open_task(uow, task_id: int, actor_id: int) -> tuple[User, Task]:
    user, task = visible_open_task(uow, task_id, actor_id)
    if not can_act(user, task):
        raise Forbidden("only the person working the task may hand it on", task_id=task.id)
    refuse_citizen_handover(user, task)
    refuse_while_delegated(task)
    if task.case.status != "running":
        raise Conflict(f"the case is {task.case.status}", case_id=task.case_id)
    return user, task


def transfer(uow, task_id: int, actor_id: int, reason: str, to_user: str | None = None,
             to_org_unit: str | None = None) -> dict:
    """转办: a colleague who is also a candidate, or the same role in another org unit."""
    reason = require_reason(reason)
    user, task = own_open_task(uow, task_id, actor_id)
    s, now = uow.session, uow.clock.now()
    move_task(s, task, to_user, to_org_unit, paths=None, candidates_only=True)
    task.acted_at = task.acted_at or now
    task.owner_id, task.delegation = None, None  # 转办, not 委派: the new assignee owns the task outright
    audit.append(s, now, user, "task.transferred", case_id=task.case_id, task_id=task.id, reason=reason,
                 detail={"to_user": to_user, "to_org_unit": to_org_unit})
    uow.publish(DomainEvent("task.transferred", task.case_id, task.id, {"reason": reason}))
    uow.commit()
    return {"task_id": task.id, "assignee": to_user, "org_unit": to_org_unit}


def _is_step(node) -> bool:
    """A human task, or a round of signers (会签), which a return reopens as a whole."""
    spec = node.task_spec
    if isinstance(spec, MultiInstanceTask):
        spec = node.workflow.spec.task_specs.get(spec.task_spec)
    return spec is not None and human_config(spec) is not None


def _path_back(spiff_task) -> list:
    """Completed human tasks on the way back up the task tree, newest first, one per element:
    the same branch, then what came before the split (other branches are not ancestors)."""
    seen, out, node = set(), [], spiff_task.parent
    while node is not None:
        element = node.task_spec.bpmn_id
        if _is_step(node) and node.state == TaskState.COMPLETED and element not in seen:
            seen.add(element)
            out.append(node)
        node = node.parent
    return out


def previous_human_task(spiff_task):
    """The step a default 退回 goes back to, and the one a 撤回 takes back (None at the first step)."""
    path = _path_back(spiff_task)
    return path[0] if path else None


def completed_row(s, case_id: int, spiff_task) -> Task | None:
    """The row that completed this workflow task last (a reset keeps the task's id); for a round
    of signers, its last signer's row."""
    signers = spiff_task.children if isinstance(spiff_task.task_spec, MultiInstanceTask) else []
    ids = [str(spiff_task.id), *(str(c.id) for c in signers)]
    return s.scalar(select(Task).where(Task.case_id == case_id, Task.spiff_task_id.in_(ids),
                                       Task.state == "completed").order_by(Task.id.desc()).limit(1))


def workflow_and_task(uow, task: Task):
    """The case's workflow and the workflow task the row points at (None once a reset removed it)."""
    workflow = case_workflow(uow, task.case)
    return workflow, find_task(workflow, task.spiff_task_id)


def return_targets(uow, task_id: int, actor_id: int) -> list[dict]:
    """The earlier human steps this task may be returned to, newest first (see ``_path_back``)."""
    _, task = own_open_task(uow, task_id, actor_id)
    _, current = workflow_and_task(uow, task)
    out = []
    for node in _path_back(current) if current is not None else []:
        row = completed_row(uow.session, task.case_id, node)
        completer = uow.session.get(User, row.completed_by_id) if row and row.completed_by_id else None
        out.append({"element_id": node.task_spec.bpmn_id, "name": node.task_spec.bpmn_name or node.task_spec.bpmn_id,
                    "completed_by": completer.username if completer else None,
                    "completed_at": row.completed_at if row else None})
    return out


def discarded_steps(s, case_id: int, workflow) -> list[str]:
    """Element ids of the live rows a reset has just left without a READY task (cancelled next)."""
    ready = {str(t.id) for t in ready_human_tasks(workflow)}
    rows = s.scalars(select(Task).where(Task.case_id == case_id, Task.state.in_(TASK_LIVE_STATES))
                     .order_by(Task.id)).all()
    return [r.element_id for r in rows if r.spiff_task_id not in ready]


def reopen_to(uow, case, workflow, target, user: User, action: str, task_id: int, reason: str,
              detail: dict, back_to: int | None) -> list[Task]:
    """Reset the workflow to ``target`` and store it: rows, SLA and BPMN timers of everything the
    reset discarded are cancelled by ``persist``; the reopened step gets a fresh deadline and is
    claimed by ``back_to`` (whoever completed it before) when that user is still active."""
    now, s = uow.clock.now(), uow.session
    run_engine(lambda: workflow.reset_from_task_id(target.id))
    detail = {"to_element": target.task_spec.bpmn_id, "cancelled": discarded_steps(s, case.id, workflow), **detail}
    opened = run_engine(lambda: persist(uow, case, workflow, now, user, action, task_id=task_id,
                                        detail=detail, reason=reason))
    holder = s.get(User, back_to) if back_to else None
    for row in opened:
        if row.spiff_task_id == str(target.id) and holder is not None and holder.active and row.state == "open":
            row.assignee_id, row.state = holder.id, "claimed"
    return opened


def return_task(uow, task_id: int, actor_id: int, reason: str, to_element: str | None = None) -> dict:
    """退回: reopen an earlier human step (default: the previous one; its data as it was). Steps
    after it are discarded: a return inside a parallel branch leaves the other branches alone, a
    return to a step before the split cancels every branch (the audit row lists them)."""
    reason = require_reason(reason)
    user, task = own_open_task(uow, task_id, actor_id)
    case = task.case
    workflow, current = workflow_and_task(uow, task)
    targets = _path_back(current) if current is not None else []
    if not targets:
        raise ProcessRefusal("there is no earlier step to return this task to")
    target = targets[0] if to_element is None else next(
        (t for t in targets if t.task_spec.bpmn_id == to_element), None)
    if target is None:
        raise ProcessRefusal(f"{to_element!r} is not an earlier step of this task",
                             fields={"to_element": [f"one of {[t.task_spec.bpmn_id for t in targets]}"]})
    previous = completed_row(uow.session, case.id, target)
    opened = reopen_to(uow, case, workflow, target, user, "task.returned", task.id, reason, {},
                       previous.completed_by_id if previous else None)
    uow.publish(DomainEvent("task.returned", case.id, task.id, {"reason": reason, "task_ids": [t.id for t in opened]}))
    uow.commit()
    return {"task_id": task.id, "returned_to": [{"id": t.id, "element_id": t.element_id, "name": t.name}
                                                 for t in opened]}
