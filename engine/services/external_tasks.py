"""External tasks, Camunda 7 style: department systems and gateways fetch-and-lock work by topic,
then complete it, report a failure, or throw a BPMN error. One transaction per call.

A lock is a lease (``lock_owner`` until ``lock_expires_at``); an expired lease puts the task
back in the pool, and a failure with retries left parks it until its retry timeout, through the
same column. Every change that finishes a task flips its row with a conditional UPDATE, so a
second call (a retry after a timeout, a worker whose lease was taken over) gets a Conflict."""
from __future__ import annotations

from datetime import timedelta

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select, update

from .. import audit
from ..bpmn.loader import case_workflow, find_task
from ..case_sync import persist
from ..case_trail import completed_ids
from ..errors import Conflict, InvalidInput, NotFound
from ..incidents import Failure, advance, open_incident
from ..models import Case, ExternalTask, User
from .common import load_actor, require_role, run_engine
from .queries import case_summary

MACHINE_ROLES = ("sensor", "worker", "admin")


def _machine(uow, actor_id: int) -> User:
    user = load_actor(uow.session, actor_id)
    require_role(user, *MACHINE_ROLES)
    return user


def _require(ok: bool, field: str, message: str) -> None:
    # The API's schemas refuse these first; this guards the CLI and scripts calling in directly.
    if not ok:
        raise InvalidInput(f"{field}: {message}", fields={field: [message]})


def _ms(value: int) -> timedelta:
    return timedelta(milliseconds=value)


def fetch_and_lock(uow, actor_id: int, worker_id: str, max_tasks: int, topics: list[dict]) -> list[dict]:
    """Lock up to ``max_tasks`` open tasks of the given topics to ``worker_id``, highest priority
    first, then oldest. Each topic is ``{topic_name, lock_duration_ms, variables?}``; without a
    ``variables`` list the whole case data is sent. ``SKIP LOCKED`` lets any number of workers
    fetch at once on PostgreSQL: a row another fetch is locking is passed over, never handed out
    twice (SQLite serializes writers instead)."""
    s, now = uow.session, uow.clock.now()
    _machine(uow, actor_id)
    _require(bool(worker_id), "worker_id", "required")
    _require(max_tasks >= 1, "max_tasks", "must be at least 1")
    _require(bool(topics) and all(t.get("lock_duration_ms", 0) >= 1 for t in topics), "topics",
             "name at least one topic, each with a lock_duration_ms of at least 1")
    by_topic = {t["topic_name"]: t for t in topics}
    rows = s.execute(
        select(ExternalTask, Case).join(Case, Case.id == ExternalTask.case_id)
        .where(ExternalTask.topic.in_(by_topic), ExternalTask.state == "open", Case.status == "running",
               or_(ExternalTask.lock_expires_at.is_(None), ExternalTask.lock_expires_at <= now))
        .order_by(ExternalTask.priority.desc(), ExternalTask.created_at, ExternalTask.id)
        .limit(max_tasks).with_for_update(skip_locked=True, of=ExternalTask)).all()
    out = []
    for row, case in rows:
        topic = by_topic[row.topic]
        row.lock_owner, row.lock_expires_at = worker_id, now + _ms(topic["lock_duration_ms"])
        names = topic.get("variables")
        data = case.data or {}
        out.append({"id": row.id, "topic_name": row.topic, "case_id": case.id, "case_number": case.number,
                    "business_key": case.business_key, "element_id": row.element_id,
                    "variables": data if names is None else {n: data[n] for n in names if n in data},
                    "retries": row.retries, "error_message": row.error_message, "priority": row.priority,
                    "lock_expires_at": row.lock_expires_at})
    uow.commit()  # locks are leases, not case changes: no audit row (Camunda keeps none either)
    return out


def _conflict(row: ExternalTask, worker_id: str) -> Conflict:
    if row.state != "open":
        why = f"external task {row.id} is {row.state}"
    elif row.lock_owner is None:
        why = f"external task {row.id} is not locked; fetch and lock it first"
    elif row.lock_owner != worker_id:
        why = f"external task {row.id} is locked by another worker"
    else:
        why = f"the lock on external task {row.id} has expired"
    return Conflict(why, case_id=row.case_id)


def _take(uow, task_id: int, worker_id: str, values: dict, *, unexpired: bool = False,
          lock_case: bool = True) -> tuple[ExternalTask, Case | None]:
    """Flip the row with an UPDATE that only ``worker_id``'s lock satisfies, or raise Conflict.
    The case row is locked first so that writers of one case queue on it: a timer's ``persist``
    takes case, audit head, then external-task rows, and this row before the audit head could
    otherwise deadlock with it on PostgreSQL."""
    s, now = uow.session, uow.clock.now()
    case_id = s.scalar(select(ExternalTask.case_id).where(ExternalTask.id == task_id))
    if case_id is None:
        raise NotFound(f"no external task {task_id}")
    case = s.get(Case, case_id, with_for_update=True) if lock_case else None
    cond = [ExternalTask.id == task_id, ExternalTask.state == "open", ExternalTask.lock_owner == worker_id]
    if unexpired:
        cond.append(ExternalTask.lock_expires_at > now)
    done = s.execute(update(ExternalTask).where(*cond).values(**values)
                     .execution_options(synchronize_session=False)).rowcount
    row = s.get(ExternalTask, task_id, populate_existing=True)
    if done != 1:
        raise _conflict(row, worker_id)
    return row, case


def _ready_task(uow, case: Case, row: ExternalTask):
    if case.status != "running":
        raise Conflict(f"the case is {case.status}", case_id=case.id)
    workflow = case_workflow(uow, case)
    spiff_task = find_task(workflow, row.spiff_task_id)
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise Conflict(f"external task {row.id} is no longer waiting", case_id=case.id)
    return workflow, spiff_task


def _done(row: ExternalTask, case: Case) -> dict:
    return {"id": row.id, "state": row.state, "case": case_summary(case) | {"data": case.data}}


def complete(uow, actor_id: int, task_id: int, worker_id: str, variables: dict | None = None) -> dict:
    """Merge ``variables`` into the task's data, run it and the engine on to the next wait
    states. 404 for an unknown task, 409 unless ``worker_id`` holds its lock (once another
    worker fetched it after expiry, or once it completed, this worker's call is refused)."""
    now, variables = uow.clock.now(), dict(variables or {})
    user = _machine(uow, actor_id)
    row, case = _take(uow, task_id, worker_id, {"state": "completed", "completed_at": now})
    workflow, spiff_task = _ready_task(uow, case, row)
    spiff_task.data.update(variables)
    before = completed_ids(workflow)
    run_engine(spiff_task.run)
    stopped = advance(workflow)
    run_engine(lambda: persist(uow, case, workflow, now, user, "external_task.completed", since=before,
                               detail={"external_task": row.id, "element": row.element_id, "worker": worker_id,
                                       "data": variables}, columns=variables, failure=stopped))
    uow.commit()
    return _done(row, case)


def failure(uow, actor_id: int, task_id: int, worker_id: str, error_message: str, retries: int,
            retry_timeout_ms: int = 0) -> dict:
    """Record a failed attempt: the task is unlocked and fetchable again after
    ``retry_timeout_ms``. ``retries`` 0 fails it for good: an ``external-task`` incident holds
    the case until an admin retries or resolves it."""
    s, now = uow.session, uow.clock.now()
    user = _machine(uow, actor_id)
    _require(retries >= 0, "retries", "may not be negative")
    _require(retry_timeout_ms >= 0, "retry_timeout_ms", "may not be negative")
    final = retries == 0
    row, case = _take(uow, task_id, worker_id, {
        "state": "failed" if final else "open", "retries": retries, "error_message": error_message[:4000],
        "lock_owner": None, "lock_expires_at": None if final else now + _ms(retry_timeout_ms),
        "failures": ExternalTask.failures + 1})
    attempts = row.failures
    audit.append(s, now, user, "external_task.failed", case_id=case.id, detail={
        "external_task": row.id, "element": row.element_id, "worker": worker_id, "retries": retries,
        "message": row.error_message})
    if final:
        open_incident(uow, case, Failure(row.element_id, row.spiff_task_id, "external-task", row.error_message),
                      now, attempts=attempts, external_task_id=row.id)
    uow.commit()
    return {"id": row.id, "state": row.state, "retries": row.retries, "attempts": attempts}


def _catches(boundary, error_code: str) -> bool:
    definition = getattr(boundary.task_spec, "event_definition", None)
    return boundary.state == TaskState.WAITING and isinstance(definition, ErrorEventDefinition) \
        and definition.code in (None, error_code)


def _boundary_for(spiff_task, error_code: str):
    """The waiting error boundary event that catches ``error_code``, innermost first: on the task
    (or the multi-instance activity it is one instance of), else on each enclosing subprocess
    outwards; one naming the code wins over a catch-all at one level. (SpiffWorkflow's own
    propagation would also let boundaries of unrelated waiting tasks catch it.)"""
    node = spiff_task
    while node is not None:
        parent = node.parent
        if parent is None:  # the top of a subprocess: on to the task that runs it
            workflow = node.workflow
            node = None if workflow.parent_task_id is None else \
                workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
            continue
        if isinstance(parent.task_spec, BoundaryEventSplit):
            catching = [b for b in parent.children if b is not node and _catches(b, error_code)]
            if catching:
                return min(catching, key=lambda b: b.task_spec.event_definition.code is None)
        node = parent
    return None


def _catch(boundary, event: BpmnEvent) -> None:
    # What SpiffWorkflow's event manager does for a caught event, aimed at one boundary only.
    boundary.task_spec.catch(boundary, event)
    boundary.task_spec._update(boundary)


def bpmn_error(uow, actor_id: int, task_id: int, worker_id: str, error_code: str,
               variables: dict | None = None, error_message: str | None = None) -> dict:
    """Throw BPMN error ``error_code`` at the task: the error boundary event that catches it
    cancels the task and the case goes on from there, with ``variables`` in its data. Caught
    by none, the task fails and a ``bpmn-error`` incident names the code."""
    now, variables = uow.clock.now(), dict(variables or {})
    user = _machine(uow, actor_id)
    row, case = _take(uow, task_id, worker_id, {"lock_owner": None, "lock_expires_at": None,
                                                 "error_message": (error_message or error_code)[:4000]})
    workflow, spiff_task = _ready_task(uow, case, row)
    event = BpmnEvent(ErrorEventDefinition(error_code, error_code), payload=dict(spiff_task.data) | variables)
    boundary = _boundary_for(spiff_task, error_code)
    before = completed_ids(workflow)
    if boundary is None:
        spiff_task.data.update(variables)
        stopped, row.state = None, "failed"
    else:
        stopped = advance(workflow, lambda: (_catch(boundary, event), workflow.do_engine_steps()))
        row.state, row.completed_at = "cancelled", now
    caught_by = boundary.task_spec.bpmn_id if boundary is not None else None
    run_engine(lambda: persist(uow, case, workflow, now, user, "external_task.bpmn_error", since=before,
                               detail={"external_task": row.id, "element": row.element_id, "worker": worker_id,
                                       "error_code": error_code, "message": error_message, "caught_by": caught_by,
                                       "data": variables},
                               columns=variables, failure=stopped))
    if boundary is None:
        message = f"{row.element_id}: BPMN error {error_code!r} was not caught by any error boundary event" \
            + (f" ({error_message})" if error_message else "")
        open_incident(uow, case, Failure(row.element_id, row.spiff_task_id, "bpmn-error", message), now,
                      external_task_id=row.id)
    uow.commit()
    return _done(row, case) | {"caught_by": caught_by}


def extend_lock(uow, actor_id: int, task_id: int, worker_id: str, new_duration_ms: int) -> dict:
    """Move the lock's expiry to now + ``new_duration_ms``; 409 unless this worker holds an
    unexpired lock (an expired one may already be another worker's)."""
    now = uow.clock.now()
    _machine(uow, actor_id)
    _require(new_duration_ms >= 1, "new_duration_ms", "must be at least 1")
    row, _ = _take(uow, task_id, worker_id, {"lock_expires_at": now + _ms(new_duration_ms)},
                   unexpired=True, lock_case=False)
    uow.commit()
    return {"id": row.id, "lock_owner": row.lock_owner, "lock_expires_at": row.lock_expires_at}


def list_external_tasks(uow, actor_id: int, topic: str | None = None, case_id: int | None = None,
                        state: str | None = None, page: int = 1, per_page: int = 50) -> list[dict]:
    """Admins' Cockpit-like listing, newest first."""
    s = uow.session
    require_role(load_actor(s, actor_id), "admin")
    q = select(ExternalTask, Case.number).join(Case, Case.id == ExternalTask.case_id)
    for column, value in ((ExternalTask.topic, topic), (ExternalTask.case_id, case_id), (ExternalTask.state, state)):
        if value is not None:
            q = q.where(column == value)
    rows = s.execute(q.order_by(ExternalTask.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return [{"id": r.id, "topic_name": r.topic, "case_id": r.case_id, "case_number": number,
             "element_id": r.element_id, "state": r.state, "priority": r.priority, "lock_owner": r.lock_owner,
             "lock_expires_at": r.lock_expires_at, "retries": r.retries, "error_message": r.error_message,
             "created_at": r.created_at, "completed_at": r.completed_at} for r, number in rows]
