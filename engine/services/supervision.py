"""Supervisor overrides (each with a reason and an audit row; 403 for everyone else): reassign,
extension requests and decisions, urge (催办/督办), suspend/resume, terminate, and the board."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from .. import audit, call_activities, sla
from ..calendar import Limit
from ..calendar.store import calendar_for
from ..errors import Conflict, Forbidden, InvalidInput
from ..events import DomainEvent
from ..models import Case, EventSubscription, ExternalTask, OrgUnit, SupervisionItem, Task, Timer, User
from ..models.cases import TASK_OPEN_STATES
from ..permissions import can_act, oversight_paths
from .common import load_actor, require_reason, visible_open_task
from .handover import move_task
from .queries import case_visibility, visible_case

SUPERVISOR = "supervisor"


def _supervised_task(uow, task_id: int, actor_id: int) -> tuple[User, Task]:
    user, task = visible_open_task(uow, task_id, actor_id)
    if not user.has_role(SUPERVISOR):
        raise Forbidden("only supervisors may do this")
    return user, task


def _supervised_case(uow, case_id: int, actor_id: int) -> tuple[User, Case]:
    s = uow.session
    user = load_actor(s, actor_id)
    case = visible_case(s, user, case_id)
    if not user.has_role(SUPERVISOR):
        raise Forbidden("only supervisors may do this")
    return user, case


def _open_tasks(s, case_id: int) -> list[Task]:
    return list(s.scalars(select(Task).where(Task.case_id == case_id, Task.state.in_(TASK_OPEN_STATES))))


def reassign(uow, task_id: int, actor_id: int, reason: str, to_user: str | None = None,
             to_org_unit: str | None = None) -> dict:
    """Give the task to a user (claimed by them) or to the same role in another org unit."""
    reason = require_reason(reason)
    user, task = _supervised_task(uow, task_id, actor_id)
    s, now = uow.session, uow.clock.now()
    move_task(s, task, to_user, to_org_unit, paths=oversight_paths(s, user), candidates_only=False)
    task.acted_at = task.acted_at or now
    task.owner_id, task.delegation = None, None  # a supervisor's reassign ends a delegation too
    audit.append(s, now, user, "task.reassigned", case_id=task.case_id, task_id=task.id, reason=reason,
                 detail={"to_user": to_user, "to_org_unit": to_org_unit})
    uow.publish(DomainEvent("task.reassigned", task.case_id, task.id))
    uow.commit()
    return {"task_id": task.id, "assignee": to_user, "org_unit": to_org_unit}


def _extension_limit(working_days: int | None, until: datetime | None, task: Task, cal) -> Limit:
    if working_days is not None:
        if working_days < 1 or working_days > 60:
            raise InvalidInput("bad extension", fields={"working_days": ["between 1 and 60"]})
        return Limit(working_days, "work_days")
    if until is None:
        raise InvalidInput("name working_days or until", fields={"working_days": ["or until"]})
    until = until if until.tzinfo else until.replace(tzinfo=cal.tz)
    if task.due_at is None or until <= task.due_at:
        raise InvalidInput("bad extension", fields={"until": ["must be after the current deadline"]})
    minutes = int((until - task.due_at).total_seconds() // 60)
    return Limit(max(minutes, 1), "minutes")


def extend(uow, task_id: int, actor_id: int, reason: str, working_days: int | None = None,
           until: datetime | None = None) -> dict:
    """A supervisor grants at once; the person working the task files a request (延期申请) that
    pauses the clock until a supervisor decides."""
    reason = require_reason(reason)
    user, task = visible_open_task(uow, task_id, actor_id)
    s, now = uow.session, uow.clock.now()
    if task.due_at is None:
        raise Conflict("only a task with a deadline can be extended", task_id=task.id)
    cal = calendar_for(uow)
    limit = _extension_limit(working_days, until, task, cal)
    request = {"working_days": working_days, "until": until.isoformat() if until else None}
    if user.has_role(SUPERVISOR):
        sla.extend(s, task, limit, cal)
        audit.append(s, now, user, "task.extension_granted", case_id=task.case_id, task_id=task.id,
                     reason=reason, detail=request | {"due_at": task.due_at})
        uow.publish(DomainEvent("task.extension_decided", task.case_id, task.id, {"granted": True, "reason": reason}))
        uow.commit()
        return {"task_id": task.id, "status": "granted", "due_at": task.due_at}
    if not can_act(user, task):
        raise Forbidden("only the person working the task may request an extension")
    if _pending_extension(s, task.id) is not None:
        raise Conflict("an extension request is already pending", task_id=task.id)
    s.add(SupervisionItem(case_id=task.case_id, task_id=task.id, org_unit_id=task.org_unit_id,
                          kind="extension", reason=reason, detail=request, created_at=now))
    sla.pause(s, task, now)
    audit.append(s, now, user, "task.extension_requested", case_id=task.case_id, task_id=task.id,
                 reason=reason, detail=request)
    uow.publish(DomainEvent("task.extension_requested", task.case_id, task.id))
    uow.commit()
    return {"task_id": task.id, "status": "requested", "due_at": task.due_at}


def _pending_extension(s, task_id: int) -> SupervisionItem | None:
    return s.scalar(select(SupervisionItem).where(
        SupervisionItem.task_id == task_id, SupervisionItem.kind == "extension",
        SupervisionItem.resolved_at.is_(None)))


def decide_extension(uow, task_id: int, actor_id: int, grant: bool, reason: str) -> dict:
    reason = require_reason(reason)
    user, task = _supervised_task(uow, task_id, actor_id)
    s, now = uow.session, uow.clock.now()
    item = _pending_extension(s, task.id)
    if item is None:
        raise Conflict("no extension request is pending", task_id=task.id)
    cal = calendar_for(uow)
    item.resolved_at = now
    sla.resume(s, task, now, cal)
    if grant:
        wd, until = item.detail.get("working_days"), item.detail.get("until")
        sla.extend(s, task, _extension_limit(wd, datetime.fromisoformat(until) if until else None, task, cal), cal)
    audit.append(s, now, user, "task.extension_granted" if grant else "task.extension_refused",
                 case_id=task.case_id, task_id=task.id, reason=reason, detail={"due_at": task.due_at})
    uow.publish(DomainEvent("task.extension_decided", task.case_id, task.id, {"granted": grant, "reason": reason}))
    uow.commit()
    return {"task_id": task.id, "status": "granted" if grant else "refused", "due_at": task.due_at}


def urge(uow, case_id: int, actor_id: int, reason: str) -> dict:
    """催办/督办: a notice to whoever holds the case now, on the record and on the board."""
    reason = require_reason(reason)
    user, case = _supervised_case(uow, case_id, actor_id)
    s, now = uow.session, uow.clock.now()
    tasks = _open_tasks(s, case.id)
    if case.status not in ("running", "suspended") or not tasks:
        raise Conflict(f"the case is {case.status}; nothing to urge", case_id=case.id)
    for task in tasks:
        s.add(SupervisionItem(case_id=case.id, task_id=task.id, org_unit_id=task.org_unit_id,
                              kind="urge", reason=reason, created_at=now))
        uow.publish(DomainEvent("case.urged", case.id, task.id, {"reason": reason}))
    audit.append(s, now, user, "case.urged", case_id=case.id, reason=reason,
                 detail={"tasks": [t.id for t in tasks]})
    uow.commit()
    return {"case_id": case.id, "urged_tasks": [t.id for t in tasks]}


def _set_status(uow, case_id: int, actor_id: int, reason: str, allowed: tuple[str, ...], status: str) -> tuple:
    reason = require_reason(reason)
    user, case = _supervised_case(uow, case_id, actor_id)
    if case.status not in allowed:
        raise Conflict(f"the case is {case.status}", case_id=case.id)
    case.status, case.updated_at = status, uow.clock.now()
    return user, case, reason


def suspend(uow, case_id: int, actor_id: int, reason: str) -> dict:
    """Suspend the case: its tasks cannot be completed and every clock on it pauses."""
    user, case, reason = _set_status(uow, case_id, actor_id, reason, ("running",), "suspended")
    s, now = uow.session, uow.clock.now()
    for task in _open_tasks(s, case.id):
        sla.pause(s, task, now)
    uow.flush()
    audit.append(s, now, user, "case.suspended", case_id=case.id, reason=reason)
    uow.commit()
    return {"case_id": case.id, "status": case.status}


def resume(uow, case_id: int, actor_id: int, reason: str) -> dict:
    user, case, reason = _set_status(uow, case_id, actor_id, reason, ("suspended",), "running")
    s, now = uow.session, uow.clock.now()
    cal = calendar_for(uow)
    for task in _open_tasks(s, case.id):
        if _pending_extension(s, task.id) is None:
            sla.resume(s, task, now, cal)
    uow.flush()
    audit.append(s, now, user, "case.resumed", case_id=case.id, reason=reason)
    uow.commit()
    return {"case_id": case.id, "status": case.status}


def terminate(uow, case_id: int, actor_id: int, reason: str) -> dict:
    """End the case and everything it waits on, its child cases included. A terminated child
    leaves its parent's call activity with no one to finish it: that is an incident there."""
    user, case, reason = _set_status(uow, case_id, actor_id, reason, ("running", "suspended"), "terminated")
    _end_case(uow, user, case, reason)
    call_activities.child_terminated(uow, case, reason)
    uow.commit()
    return {"case_id": case.id, "status": case.status}


def _end_case(uow, user: User, case: Case, reason: str) -> None:
    s, now = uow.session, uow.clock.now()
    case.status, case.closed_at, case.updated_at = "terminated", now, now
    ids = [t.id for t in _open_tasks(s, case.id)]
    s.execute(update(Task).where(Task.id.in_(ids)).values(state="cancelled"))
    sla.cancel_timers(s, ids)
    s.execute(update(Timer).where(Timer.case_id == case.id, Timer.state == "pending").values(state="cancelled"))
    s.execute(update(ExternalTask).where(ExternalTask.case_id == case.id, ExternalTask.state.in_(("open", "failed")))
              .values(state="cancelled"))
    s.execute(delete(EventSubscription).where(EventSubscription.case_id == case.id))
    uow.flush()
    audit.append(s, now, user, "case.terminated", case_id=case.id, reason=reason, detail={"tasks": ids})
    uow.publish(DomainEvent("case.terminated", case.id, payload={"reason": reason}))
    for child in s.scalars(select(Case).where(Case.parent_case_id == case.id,
                                              Case.status.in_(("running", "suspended")))):
        _end_case(uow, user, child, reason)


def board(uow, actor_id: int, org_unit: str | None = None) -> list[dict]:
    """Open supervision items the supervisor oversees (escalations, urges, extension requests)."""
    s = uow.session
    user = load_actor(s, actor_id)
    if not user.has_role(SUPERVISOR, "leader"):
        raise Forbidden("the supervision board is for supervisors and leaders")
    q = (select(SupervisionItem, Case.number, OrgUnit.code).join(Case, Case.id == SupervisionItem.case_id)
         .outerjoin(OrgUnit, OrgUnit.id == SupervisionItem.org_unit_id)
         .where(SupervisionItem.resolved_at.is_(None)).order_by(SupervisionItem.id))
    if org_unit:
        q = q.where(OrgUnit.code == org_unit)
    clause = case_visibility(s, user)
    if clause is not None:
        q = q.where(clause)
    return [{"id": item.id, "case_id": item.case_id, "case_number": number, "task_id": item.task_id,
             "org_unit": code, "level": item.level, "kind": item.kind, "reason": item.reason,
             "detail": item.detail, "created_at": item.created_at} for item, number, code in s.execute(q)]
