"""The durable timer sweep: claim due rows, fire each exactly once, in its own transaction, or
for deadline warnings (which change no case) in a transaction with the claim's other warnings;
a batch that fails is fired again one timer at a time, so a bad timer still fails alone.

Any number of scheduler processes may sweep at once. A claim is a lease (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL); firing first flips the row from pending to fired with a conditional
UPDATE in the same transaction as its effects, so a timer whose lease expired and was claimed
twice still fires once. Timers that came due while nothing ran are simply due at the next sweep.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from . import audit
from .bpmn.loader import case_workflow, find_task
from .case_sync import persist
from .case_trail import completed_ids
from .escalation import escalate
from .events import DomainEvent
from .models import Case, Task, Timer
from .models.cases import TASK_OPEN_STATES
from .models.timers import MAX_ATTEMPTS
from .incidents import Failure, advance, open_incident
from .leases import claim
from .services.common import run_engine

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
RETRY_AFTER = timedelta(seconds=30)
SUSPENDED_RECHECK = timedelta(minutes=5)


def _fire_bpmn_timer(uow, timer: Timer, now: datetime) -> None:
    s = uow.session
    case = s.get(Case, timer.case_id)
    if case.status == "suspended":  # wait, do not drop: resume lets it fire
        s.add(Timer(case_id=case.id, spiff_task_id=timer.spiff_task_id, kind="bpmn-timer",
                    fire_at=now + SUSPENDED_RECHECK))
        return
    if case.status != "running":
        return
    workflow = case_workflow(uow, case)
    before = completed_ids(workflow)
    failure = advance(workflow, lambda: (workflow.refresh_timers(), workflow.do_engine_steps()))
    run_engine(lambda: persist(uow, case, workflow, now, None, "timer.fired",
                               detail={"timer_id": timer.id, "kind": timer.kind}, since=before, failure=failure))


def _open_task(uow, timer):
    """The timer's task if it is still open, as a row (id, case_id, org_unit_id, name, due_at)."""
    if timer.task_id is None:
        return None
    return uow.session.connection().execute(_OPEN_TASK, {"task_id": timer.task_id}).one_or_none()


def _fire_sla_warn(uow, timer: Timer, now: datetime) -> None:
    task = _open_task(uow, timer)
    if task is not None:
        audit.append(uow.session, now, None, "task.sla_warning", case_id=task.case_id, task_id=task.id,
                     detail={"timer_id": timer.id, "due_at": task.due_at})
        uow.publish(DomainEvent("deadline.warned", task.case_id, task.id))


def _fire_sla_due(uow, timer: Timer, now: datetime) -> None:
    task = _open_task(uow, timer)
    if task is not None:
        audit.append(uow.session, now, None, "task.overdue", case_id=task.case_id, task_id=task.id,
                     detail={"timer_id": timer.id, "due_at": task.due_at})
        uow.publish(DomainEvent("deadline.breached", task.case_id, task.id))
        escalate(uow, task, 1, now, f"{task.name} 超期未办结")


def _fire_escalate(uow, timer: Timer, now: datetime) -> None:
    task = _open_task(uow, timer)
    if task is not None:
        escalate(uow, task, int(timer.payload.get("level", 2)), now, f"{task.name} 超期仍未办结，逐级提级")


_OPEN_TASK = select(Task.id, Task.case_id, Task.org_unit_id, Task.name, Task.due_at).where(
    Task.id == bindparam("task_id"), Task.state.in_(TASK_OPEN_STATES))

HANDLERS = {"bpmn-timer": _fire_bpmn_timer, "sla-warn": _fire_sla_warn, "sla-due": _fire_sla_due,
            "escalate": _fire_escalate}
# Warnings change no case, task or workflow (an audit row and a notification each): a claim's
# warnings fire together, in batches of this many, each batch one transaction.
TOGETHER = ("sla-warn",)
BATCH = 50
_KINDS = select(Timer.id, Timer.kind).where(Timer.id.in_(bindparam("ids", expanding=True)))
# the case first, as a completion takes it (services.common.visible_task with lock_case), in id order
_LOCK_CASES = (select(Case.id).where(Case.id.in_(
    select(Timer.case_id).where(Timer.id.in_(bindparam("ids", expanding=True))))).order_by(Case.id)
    .with_for_update())
_MARK_FIRED = (update(Timer).where(Timer.id.in_(bindparam("ids", expanding=True)), Timer.state == "pending",
                                   Timer.lease_owner == bindparam("owner"))
               .values(state="fired", fired_at=bindparam("now"))
               .returning(Timer.id, Timer.kind, Timer.case_id, Timer.task_id, Timer.spiff_task_id, Timer.payload))


def claim_due(container, owner: str, limit: int) -> list[int]:
    now = container.clock.now()
    return claim(container, Timer, [Timer.state == "pending", Timer.fire_at <= now], Timer.fire_at,
                 owner, limit, LEASE)


def fire(container, timer_id: int, owner: str) -> bool:
    """Fire one claimed timer; True if this call fired it."""
    try:
        return _fire_in_one_transaction(container, [timer_id], owner) == 1
    except Exception as exc:  # the effects rolled back; record why and retry later
        log.exception("timer %s failed", timer_id)
        _record_failure(container, timer_id, exc)
        return False


def fire_claimed(container, timer_ids: list[int], owner: str) -> int:
    """Fire a claim's timers: its warnings in batches (:func:`fire_together`), the rest and any
    batch that failed one by one. Returns how many this call fired."""
    if not timer_ids:
        return 0
    with container.session_factory() as s:
        kinds = dict(s.execute(_KINDS, {"ids": timer_ids}).all())
    together = [i for i in timer_ids if kinds.get(i) in TOGETHER]
    alone = [i for i in timer_ids if kinds.get(i) not in TOGETHER]
    fired = 0
    for start in range(0, len(together), BATCH):
        batch = together[start:start + BATCH]
        done = fire_together(container, batch, owner)
        if done is None:
            alone += batch
        else:
            fired += done
    return fired + sum(fire(container, timer_id, owner) for timer_id in alone)


def fire_together(container, timer_ids: list[int], owner: str) -> int | None:
    """Fire these claimed timers in one transaction. At 100,000 due warnings one transaction per
    firing was eight statements and a commit each (bench/RESULTS.md, timers). Returns how many
    fired, or None when the batch failed and rolled back whole, for the caller to fire them one
    by one, so that a bad timer fails alone."""
    try:
        return _fire_in_one_transaction(container, timer_ids, owner)
    except Exception:  # whatever it was, each timer gets its own try and its own record of it
        log.warning("a batch of %d timers failed; firing them one by one", len(timer_ids), exc_info=True)
        return None


def _fire_in_one_transaction(container, timer_ids: list[int], owner: str) -> int:
    """Their cases locked in id order first (as a completion takes its case before the timer
    rows it cancels: the other order deadlocks), the pending ones still leased to ``owner``
    marked fired in one statement, each handler run, one commit with one audit write per chain.
    Returns how many fired; raises with everything rolled back."""
    with container.uow() as uow:
        now = uow.clock.now()
        connection = uow.session.connection()
        connection.execute(_LOCK_CASES, {"ids": timer_ids})
        timers = connection.execute(_MARK_FIRED, {"ids": timer_ids, "owner": owner, "now": now}).all()
        for timer in timers:
            HANDLERS[timer.kind](uow, timer, now)
        uow.commit()
        return len(timers)


def _record_failure(container, timer_id: int, exc: Exception) -> None:
    with container.uow() as uow:
        timer = uow.session.get(Timer, timer_id)
        if timer is None or timer.state != "pending":
            return
        timer.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        timer.lease_expires_at = uow.clock.now() + RETRY_AFTER
        if timer.attempts >= MAX_ATTEMPTS:
            timer.state = "failed"
            case = uow.session.get(Case, timer.case_id)
            open_incident(uow, case, Failure(_timer_element(uow, case, timer), timer.spiff_task_id, "timer",
                                             f"timer {timer.kind} failed {timer.attempts} times: {timer.last_error}"),
                          uow.clock.now(), attempts=timer.attempts, timer_id=timer.id)
        uow.commit()


def _timer_element(uow, case, timer: Timer) -> str:
    """The element a failed timer belongs to: its task's step, or its BPMN timer event."""
    if timer.task_id is not None:
        task = uow.session.get(Task, timer.task_id)
        return task.element_id if task is not None else timer.kind
    try:
        spiff_task = find_task(case_workflow(uow, case), timer.spiff_task_id)
    except (ValueError, KeyError, TypeError, OSError):  # the stored state itself may be what fails
        return timer.kind
    return spiff_task.task_spec.bpmn_id if spiff_task is not None else timer.kind


def sweep(container, owner: str, batch: int = 200, poll_for_s: float = 0.0, idle_s: float = 0.1) -> int:
    """Fire everything due; with ``poll_for_s`` keep looking for that long (a scheduler's job runs
    every second and polls in between, so a timer waits ~``idle_s``, not a whole second).
    Returns how many this process fired."""
    fired, until = 0, time.monotonic() + poll_for_s
    while True:
        ids = claim_due(container, owner, batch)
        fired += fire_claimed(container, ids, owner)
        if len(ids) == batch:
            continue
        if time.monotonic() + idle_s >= until:
            return fired
        time.sleep(idle_s)
