"""加签 and 减签 (yudao-bpm's add/remove signers): more people sign a step in parallel (one more
instance of its multi-instance round), before it (the step waits until they have signed) or
after it (its completion waits until they have signed); pending signers can be taken off."""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..bpmn.loader import case_workflow, find_task
from ..bpmn.multi_instance import (CamundaParallelMultiInstance, add_instance, pending_items, remove_instance,
                                   signed_items, signer_round)
from ..calendar.store import calendar_for
from ..case_sync import persist
from ..errors import Conflict, Forbidden, InvalidInput, ProcessRefusal
from ..incidents import advance
from ..models import Task, TaskCandidate, User
from ..models.cases import TASK_LIVE_STATES, TASK_OPEN_STATES, TASK_WAITING
from ..permissions import can_act, is_staff, may_work
from ..sla import cancel_timers, pause, start_clock
from .common import load_actor, refuse_citizen_handover, require_reason, run_engine, visible_open_task, visible_task
from .queries import task_rows_by_id
from .signatures import added_signers, announce, reopen, run_deferred, username

POSITIONS = ("before", "after", "parallel")


def add_signers(uow, task_id: int, actor_id: int, users: list[str], position: str, reason: str) -> dict:
    """加签 on an open step, by whoever works it or a supervisor overseeing it. A refused target
    (unknown, a citizen, already signing, not someone who does this work) is a 422 naming
    ``users`` and changes nothing. Returns the new signers' inbox rows."""
    s, now = uow.session, uow.clock.now()
    reason = require_reason(reason)
    if position not in POSITIONS:
        raise InvalidInput("unknown position", fields={"position": [f"one of {', '.join(POSITIONS)}"]})
    user, task = visible_open_task(uow, task_id, actor_id)
    _may_manage(user, task)
    _lock(s, task, TASK_OPEN_STATES)
    if task.kind == "signer":
        raise ProcessRefusal("an added signer cannot add signers", fields={"users": ["not on a signer's row"]})
    workflow = case_workflow(uow, task.case)
    mi = _round(workflow, task)
    targets = _targets(s, task, mi, users)
    names = [t.username for t in targets]
    detail = {"users": names, "position": position}
    if position == "parallel":
        if mi is None or not isinstance(mi.task_spec, CamundaParallelMultiInstance):
            raise ProcessRefusal("parallel signers join a parallel multi-instance step only",
                                 fields={"position": ["this step is not one of a parallel round of signers"]})
        for name in names:
            run_engine(lambda name=name: add_instance(mi, name))
        opened = run_engine(lambda: persist(uow, task.case, workflow, now, user, "task.signers_added",
                                            task_id=task.id, detail=detail, reason=reason))
        ids = [r.id for r in opened]
    else:
        if task.assignee_id is None and can_act(user, task):
            task.assignee_id = user.id  # the step is held for whoever asked for the signatures
        rows = [_signer_row(task, t, position, now) for t in targets]
        s.add_all(rows)
        s.flush()
        if position == "before":
            cal = calendar_for(uow)
            for row in rows:
                start_clock(s, row, task.sla_limit, now, cal)
                announce(uow, row)
            task.state = TASK_WAITING
            pause(s, task, now)
        audit.append(s, now, user, "task.signers_added", case_id=task.case_id, task_id=task.id,
                     detail=detail, reason=reason)
        ids = [r.id for r in rows]
    uow.commit()
    return {"task_id": task.id, "position": position, "users": names, "tasks": task_rows_by_id(s, ids, now)}


def remove_signers(uow, task_id: int, actor_id: int, users: list[str], reason: str) -> dict:
    """减签: only signers who have not acted — a pending instance of the step's round or a
    pending added signer. One who already signed is a 409; the round keeps at least one pending
    signer (422). If the round is complete without them, the case moves on now."""
    s, now = uow.session, uow.clock.now()
    reason = require_reason(reason)
    user = load_actor(s, actor_id)
    task = visible_task(s, user, task_id)
    if task.state not in TASK_LIVE_STATES:
        raise Conflict(f"task {task.id} is {task.state}", task_id=task.id, case_id=task.case_id)
    _may_manage(user, task)
    _lock(s, task)
    names = _names(users)
    added = {username(s, r): r for r in added_signers(s, task)}
    workflow = case_workflow(uow, task.case)
    mi = _round(workflow, task)
    pending = pending_items(mi) if mi is not None else {}
    rows, items, bad = [], [], []
    for name in names:
        row = added.get(name)
        if row is not None and row.state in TASK_LIVE_STATES:
            rows.append(row)
        elif name in pending:
            items.append(name)
        elif (row is not None and row.state == "completed") or (mi is not None and name in signed_items(mi)):
            raise Conflict(f"{name} has already signed", task_id=task.id, case_id=task.case_id)
        else:
            bad.append(f"{name}: not a pending signer of this step")
    if bad:
        raise ProcessRefusal("only pending signers can be removed", fields={"users": bad})
    if items and len(pending) - len(items) < 1:
        raise ProcessRefusal("the last pending signer cannot be removed",
                             fields={"users": ["at least one signer must remain"]})
    detail = {"users": names, "positions": {name: "round" for name in items}
              | {username(s, r): r.signer_position for r in rows}}
    for row in rows:
        row.state = "cancelled"
    cancel_timers(s, [r.id for r in rows])
    if items:
        for name in items:
            run_engine(lambda name=name: remove_instance(mi, name))
        failure = advance(workflow)
        run_engine(lambda: persist(uow, task.case, workflow, now, user, "task.signers_removed",
                                   task_id=task.id, detail=detail, reason=reason, failure=failure))
    else:
        audit.append(s, now, user, "task.signers_removed", case_id=task.case_id, task_id=task.id,
                     detail=detail, reason=reason)
    s.flush()
    if task.state == TASK_WAITING and not added_signers(s, task, live=True):
        if task.draft and any(r.signer_position == "after" for r in rows):
            return run_deferred(uow, task)
        reopen(uow, task, now)
    uow.commit()
    return {"task_id": task.id, "users": names}


def _may_manage(user: User, task: Task) -> None:
    """The person working the step, or a supervisor overseeing it (the caller checked they see it)."""
    if not can_act(user, task) and not user.has_role("supervisor"):
        raise Forbidden("only the person working this step or a supervisor may change its signers",
                        task_id=task.id)
    refuse_citizen_handover(user, task)


def _lock(s, task: Task, states: tuple[str, ...] = TASK_LIVE_STATES) -> None:
    """Changes to one step's signers queue behind each other (and behind a signer signing it)."""
    s.get(Task, task.id, with_for_update=True, populate_existing=True)
    if task.state not in states:
        raise Conflict(f"task {task.id} is {task.state}", task_id=task.id, case_id=task.case_id)


def _round(workflow, task: Task):
    spiff = find_task(workflow, task.spiff_task_id)
    if spiff is None or spiff.state != TaskState.READY:
        raise Conflict(f"task {task.id} is no longer waiting", task_id=task.id)
    return signer_round(spiff) if task.kind == "step" else None


def _names(users: list[str]) -> list[str]:
    names = list(dict.fromkeys(u.strip() for u in users or [] if isinstance(u, str) and u.strip()))
    if not names:
        raise InvalidInput("name at least one user", fields={"users": ["at least one username"]})
    return names


def _targets(s, task: Task, mi, users: list[str]) -> list[User]:
    """Active staff who may do this work and are not signing it already."""
    names = _names(users)
    found = {u.username: u for u in s.scalars(select(User).where(User.username.in_(names))
                                               .options(selectinload(User.roles)))}
    current = {username(s, r) for r in [task, *added_signers(s, task)] if r.assignee_id and r.state != "cancelled"}
    if mi is not None:
        current |= set(pending_items(mi)) | signed_items(mi)
    held = {h.role for u in s.scalars(select(User).where(User.username.in_(current))
                                      .options(selectinload(User.roles))) for h in u.roles if h.role != "citizen"}
    bad = []
    for name in names:
        u = found.get(name)
        if u is None or not u.active:
            bad.append(f"{name}: no such active user")
        elif not is_staff(u):
            bad.append(f"{name}: citizens do not sign")
        elif name in current:
            bad.append(f"{name}: already a signer of this step")
        elif not (may_work(u, task, None) if task.role else any(h.role in held for h in u.roles)):
            bad.append(f"{name}: does not do this kind of work")
    if bad:
        raise ProcessRefusal("these users cannot sign this step", fields={"users": bad})
    return [found[n] for n in names]


def _signer_row(task: Task, target: User, position: str, now: datetime) -> Task:
    return Task(case_id=task.case_id, spiff_task_id=task.spiff_task_id, element_id=task.element_id,
                name=task.name, title=task.title, process_key=task.process_key, category=task.category,
                district=task.district, form_key=None, role=None, org_unit_id=task.org_unit_id,
                assignee_id=target.id, state="claimed" if position == "before" else TASK_WAITING,
                priority=task.priority, created_at=now, kind="signer", parent_task_id=task.id,
                signer_position=position, candidates=[TaskCandidate(user_id=target.id)])
