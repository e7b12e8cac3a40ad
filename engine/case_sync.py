"""Keeping inbox rows in step with the workflow after every change of a case."""
from __future__ import annotations

from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import audit, call_activities, expressions
from .bpmn.multi_instance import round_item
from .bpmn.serializer import dump_state
from .bpmn.specs import human_config, human_spec, process_has
from .calendar.store import calendar_for
from .candidates import expand, lane_role, parse_group, substitute, task_priority
from .case_trail import audit_engine_steps, completed_since, passed_elements, update_case_columns
from .errors import ProcessRefusal
from .events import DomainEvent
from .incidents import Failure, open_incident
from .models import OrgUnit, Task, TaskCandidate, Timer, User
from .models.cases import TASK_LIVE_STATES
from .permissions import set_candidates
from .sla import cancel_timers, continue_clock, schedule_timers, set_clock, table_limit
from .wait_rows import sync_external_tasks, sync_subscriptions


def ready_human_tasks(workflow) -> list:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if human_config(t.task_spec)]


def _org_unit_id(uow, code: str, element: str) -> int:
    # Codes are unique and never reused, so a found id can be cached; a miss is asked again.
    unit_id = uow.cache.get_or_load(("org-unit", code), lambda: uow.session.scalar(
        select(OrgUnit.id).where(OrgUnit.code == code)))
    if unit_id is None:
        uow.cache.forget("org-unit")
        raise ProcessRefusal(f"task {element}: candidate org unit {code!r} does not exist",
                             fields={element: [f"unknown org unit {code!r}"]})
    return unit_id


def _user_id(session, username: str, element: str, what: str) -> int:
    user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise ProcessRefusal(f"task {element}: {what} {username!r} is not a user",
                             fields={element: [f"unknown user {username!r}"]})
    return user_id


def _new_row(uow, case, spiff_task, now: datetime) -> tuple[Task, str | None]:
    session = uow.session
    cfg = human_config(spiff_task.task_spec)
    element = spiff_task.task_spec.bpmn_id

    def evaluate(expr: str):
        return expressions.evaluate(expr, spiff_task.data)

    groups = expand(cfg.candidate_groups, evaluate)
    if not groups and not cfg.assignee and not cfg.candidate_users:
        groups = [lane_role(cfg.lane)]
    candidates = []
    for part in groups:
        cand = parse_group(part)
        org_id = _org_unit_id(uow, cand.org_code, element) if cand.org_code else None
        candidates.append(TaskCandidate(role=cand.role, org_unit_id=org_id))
    candidates += [TaskCandidate(user_id=_user_id(session, name, element, "candidate user"))
                   for name in expand(cfg.candidate_users, evaluate)]
    assignee_id = _user_id(session, substitute(cfg.assignee, evaluate), element, "assignee") if cfg.assignee else None
    due = table_limit(uow, case.process_key, element, case.category, spiff_task.data.get("urgency")) \
        or (substitute(cfg.due, evaluate) if cfg.due else None)
    priority = task_priority(cfg.priority, spiff_task.data, element, default=50)
    first = next((c for c in candidates if c.user_id is None), TaskCandidate(role=None, org_unit_id=None))
    task = Task(case_id=case.id, spiff_task_id=str(spiff_task.id), element_id=element,
                name=spiff_task.task_spec.bpmn_name or element, title=case.title,
                process_key=case.process_key, category=case.category, district=case.district,
                form_key=cfg.form.key, role=first.role, org_unit_id=first.org_unit_id or case.org_unit_id,
                assignee_id=assignee_id, state="claimed" if assignee_id else "open",
                priority=priority, created_at=now, item=round_item(spiff_task))
    set_candidates(task, candidates)
    return task, due


def _pauses(workflow, element: str) -> str | None:
    spec = human_spec([workflow.spec, *workflow.subprocess_specs.values()], element)
    return human_config(spec).properties.get("pauses_clock_of") if spec is not None else None


def _paused_stage(session, workflow, row: Task) -> Task | None:
    """The earlier row of the same stage whose clock this new one continues: when everything the
    case did in between was a step marked ``pauses_clock_of`` this stage (e.g. 挂账审批, 解除挂账).
    Asked only of a stage some step of the diagram pauses."""
    def pauses_it(ts) -> bool:
        return human_config(ts) is not None and human_config(ts).properties.get("pauses_clock_of") == row.element_id

    if not process_has(workflow, f"pauses:{row.element_id}", pauses_it):
        return None
    previous = session.scalar(select(Task).where(
        Task.case_id == row.case_id, Task.element_id == row.element_id,
        Task.due_at.is_not(None)).order_by(Task.id.desc()).limit(1))
    if previous is None:
        return None
    between = session.scalars(select(Task.element_id).where(
        Task.case_id == row.case_id, Task.id > previous.id)).all()
    if between and all(_pauses(workflow, element) == row.element_id for element in between):
        return previous
    return None


def sync_tasks(uow, case, workflow, now: datetime, live: list[Task] | None = None) -> tuple[list[Task], list[Task]]:
    """Insert rows for newly READY human tasks, cancel rows whose task is no longer READY.
    A new row's time limit is set before it is inserted, so that it is written once. ``live``:
    the case's live rows as the caller loaded them under the case's lock, instead of read again.

    Returns (opened, cancelled). The caller has already marked a task it completed."""
    session = uow.session
    ready = {str(t.id): t for t in ready_human_tasks(workflow)}
    rows = [r for r in live if r.state in TASK_LIVE_STATES] if live is not None else session.scalars(
        select(Task).where(Task.case_id == case.id, Task.state.in_(TASK_LIVE_STATES))).all()
    known = {r.spiff_task_id for r in rows}
    cancelled = []
    for row in rows:
        if row.spiff_task_id not in ready:
            row.state = "cancelled"
            cancelled.append(row)
    cancel_timers(session, [row.id for row in cancelled])
    new = [_new_row(uow, case, t, now) for sid, t in ready.items() if sid not in known]
    if new:
        cal = calendar_for(uow)
        for row, due in new:
            previous = _paused_stage(session, workflow, row)
            if previous is not None:
                continue_clock(row, previous, now, cal)
                continue
            try:
                set_clock(row, due, now, cal)
            except ValueError as exc:  # a ${…} due date that gave no limit or date-time
                raise ProcessRefusal(f"task {row.element_id}: due date {due!r} is not a time limit",
                                     fields={row.element_id: [str(exc)]}) from exc
    opened = [row for row, _ in new]
    session.add_all(opened)
    session.flush()
    for row in opened:
        schedule_timers(session, row, new=True)
        uow.publish(DomainEvent("task.created", case.id, row.id, {"element": row.element_id}))
    return opened, cancelled


def _waits_on_timer(task_spec) -> bool:
    """A timer event, or an event-based gateway with a timer branch (the gateway holds it)."""
    definition = getattr(task_spec, "event_definition", None)
    return any(isinstance(d, TimerEventDefinition) for d in getattr(definition, "event_definitions", [definition]))


def waiting_timers(workflow) -> dict[str, datetime]:
    """Spiff task id → due time of every timer event the workflow waits on."""
    out = {}
    for t in workflow.get_tasks(state=TaskState.WAITING):
        if not _waits_on_timer(t.task_spec):
            continue
        value = t._get_internal_data("event_value")
        if isinstance(value, dict):  # a cycle: its next occurrence
            value = value.get("next") if value.get("cycles") != 0 else None
        if value:
            at = datetime.fromisoformat(value)
            out[str(t.id)] = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return out


def sync_bpmn_timers(session, case, workflow) -> None:
    """One pending Timer row per timer event the workflow waits on: the sweep wakes this case."""
    if not process_has(workflow, "timers", _waits_on_timer):
        return
    due = waiting_timers(workflow)
    pending = session.scalars(select(Timer).where(
        Timer.case_id == case.id, Timer.kind == "bpmn-timer", Timer.state == "pending")).all()
    for timer in pending:
        if due.get(timer.spiff_task_id) == timer.fire_at:
            del due[timer.spiff_task_id]
        else:
            timer.state = "cancelled"
    session.add_all(Timer(case_id=case.id, spiff_task_id=sid, kind="bpmn-timer", fire_at=at)
                    for sid, at in due.items())


def persist(uow, case, workflow, now: datetime, actor, action: str, *, task_id: int | None = None,
            detail: dict | None = None, reason: str | None = None, since: set | None = None,
            columns: dict | None = None, failure: Failure | None = None,
            live: list[Task] | None = None) -> list[Task]:
    """Store the workflow's new state on the case, write the audit row for ``action`` (what
    caused the change), and bring inbox, timer, external-task, subscription and child-case rows
    in step. Returns the newly opened tasks. A finished workflow completes the case (and runs on
    its parent's call activity); a ``failure`` opens an incident. ``live``: see :func:`sync_tasks`."""
    case.state, case.data, case.updated_at = dump_state(workflow), workflow_data(workflow), now
    finished = workflow.is_completed() and case.status == "running"
    if finished:
        case.status, case.closed_at = "completed", now
    if case.id is None:
        uow.session.add(case)
    if columns:  # before the flush: the case's row is written once, with its new columns
        update_case_columns(uow.session, case, columns, live)
    uow.flush()  # the case's version check happens here: a concurrent writer loses
    audit.append(uow.session, now, actor, action, case_id=case.id, task_id=task_id, detail=detail,
                 reason=reason)
    if since is not None:
        ran = completed_since(workflow, since)
        audit_engine_steps(uow.session, now, case.id, ran)
        uow.publish(DomainEvent("elements.passed", case.id, payload={"elements": passed_elements(ran)}))
    opened, _ = sync_tasks(uow, case, workflow, now, live)
    sync_bpmn_timers(uow.session, case, workflow)
    sync_external_tasks(uow.session, case, workflow, now)
    sync_subscriptions(uow.session, case, workflow, now)
    if failure is not None:
        open_incident(uow, case, failure, now)
    if finished:
        audit.append(uow.session, now, actor, "case.completed", case_id=case.id)
        uow.publish(DomainEvent("case.completed", case.id))
    call_activities.sync(uow, case, workflow, now, finished)
    return opened


def workflow_data(workflow) -> dict:
    """The case's current data: what its open tasks (or, at the end, its last task) carry."""
    ready = ready_human_tasks(workflow)
    if ready:
        return dict(ready[0].data)
    last = workflow.last_task
    return dict(last.data) if last is not None else dict(workflow.data)
