"""The inbox: listing, claiming and completing human tasks."""
from __future__ import annotations


from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from forms import describe

from .. import audit, expressions
from ..attachments.links import check_attachment_ids, form_attachment_ids, link_form_attachments
from ..bpmn.loader import case_workflow, find_task
from ..bpmn.specs import human_config
from ..calendar.store import calendar_for
from ..case_fields import sees_all
from ..case_public import requester_step_case
from ..case_sync import persist
from ..case_trail import completed_ids, reason_given
from ..duplicates import candidates as duplicate_candidates, merge
from ..errors import Conflict, Forbidden
from ..events import DomainEvent
from ..forms_runtime import declared_defaults, schema_for, validate
from ..incidents import advance
from ..models import Task
from ..models.cases import TASK_OPEN_STATES
from ..sla import cancel_timers
from ..permissions import OVERSEER_ROLES, can_act, oversight_clause
from .common import (load_actor, refuse_citizen_handover, refuse_while_delegated, require_reason,
                     run_engine, task_spec, visible_open_task, visible_task)
from .inbox import add_inbox_columns, clean_filter, due_today_clause, inbox_page, ordering, sla_clause
from .queries import case_summary, opened_task_rows, task_rows, task_rows_by_id
from .signatures import SIGNER_FORM, complete_signer

SCOPES = ("mine", "group", "all", "inbox")
# Built once: every completion runs it. The session's rows are not searched for the task (it is
# at hand, and set as written after): that search costs more than the statement.
_COMPLETE = (update(Task).where(Task.id == bindparam("task_id"), Task.state.in_(TASK_OPEN_STATES))
             .values(state="completed", completed_by_id=bindparam("user_id"), completed_at=bindparam("now"),
                     assignee_id=bindparam("user_id")))


def list_tasks(uow, actor_id: int, scope: str = "inbox", overdue: bool = False,
               process_key: str | None = None, category: str | None = None, district: str | None = None,
               page: int = 1, per_page: int = 50, sla_state: str | None = None, due_today: bool = False,
               sort: str = "priority") -> list[dict]:
    """``mine``: claimed by me; ``group``: unclaimed tasks I am a candidate for; ``inbox``: both;
    ``all``: every open task a supervisor, leader or admin oversees. Filters: ``sla_state``
    (ok, warning, overdue), ``due_today``, ``overdue`` and the case's process, category and
    district; ``sort`` priority (default), due or created. Each row also carries the inbox
    columns of :func:`inbox.add_inbox_columns` (working hours left, urged, process, category)."""
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    clean_filter({"scope": scope, "sort": sort, "sla_state": sla_state or ""}, SCOPES)
    cal = calendar_for(uow)
    filters = [column == value for column, value in (
        (Task.process_key, process_key), (Task.category, category), (Task.district, district)) if value]
    if overdue:
        filters.append(Task.due_at < now)
    if sla_state:
        filters.append(sla_clause(sla_state, now))
    if due_today:
        filters.append(due_today_clause(now, cal))
    offset = (page - 1) * per_page
    if scope in ("inbox", "group"):
        ids = inbox_page(user, scope == "inbox", filters, sort, per_page, offset)
        return add_inbox_columns(uow, task_rows_by_id(s, list(s.scalars(ids)), now), now, cal)
    q = select(Task).where(Task.state.in_(TASK_OPEN_STATES), *filters)
    if scope == "all":
        if not user.has_role(*OVERSEER_ROLES):
            raise Forbidden("scope=all is for supervisors, leaders and admins")
        clause = oversight_clause(s, user)
        if clause is not None:
            q = q.where(clause)
    else:
        q = q.where(Task.assignee_id == user.id)
    q = q.order_by(*ordering(sort))
    return add_inbox_columns(uow, task_rows(s, q.limit(per_page).offset(offset), now), now, cal)


def _described(form, schema) -> list[dict]:
    """The form's field descriptions, each with its ``required_if`` condition when it has one,
    so that a page can say when the field is needed."""
    fields = describe(schema) if schema else []
    conditions = {f.name: f.properties["required_if"] for f in form.fields if f.properties.get("required_if")}
    return [f | {"required_if": conditions[f["name"]]} if f["name"] in conditions else f for f in fields]


def get_task(uow, task_id: int, actor_id: int) -> dict:
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    task = visible_task(s, user, task_id)
    out = task_rows(s, select(Task).where(Task.id == task.id), now)[0]
    spec = task_spec(uow, task)
    schema = schema_for(human_config(spec).form, spec)
    out["form"] = SIGNER_FORM if task.kind == "signer" else {
        "key": human_config(spec).form.key, "fields": _described(human_config(spec).form, schema)}
    out["documentation"] = getattr(spec, "documentation", None)  # the diagram's note on the step
    out["case"] = case_summary(task.case) | {"data": task.case.data} if sees_all(user, task.case) \
        else requester_step_case(s, task.case, user)  # a citizen's own step: their fields, never the staff's
    out["can_act"] = can_act(user, task) and task.state in TASK_OPEN_STATES
    out["draft"] = task.draft or {}  # a delegate's work in progress: the task's own view only, never a case's
    rule = human_config(spec).properties.get("duplicate_check")
    if rule and out["can_act"]:
        out["duplicate_candidates"] = duplicate_candidates(s, task.case, rule, task.case.data)
    return out


def claim_task(uow, task_id: int, actor_id: int) -> dict:
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    task = visible_task(s, user, task_id)
    if not can_act(user, task):
        raise Forbidden("you are not a candidate for this task")
    done = s.execute(update(Task).where(Task.id == task.id, Task.state == "open", Task.assignee_id.is_(None))
                     .values(state="claimed", assignee_id=user.id, acted_at=now)).rowcount
    if done != 1:
        raise Conflict("the task is no longer open to claim", task_id=task.id)
    audit.append(s, now, user, "task.claimed", case_id=task.case_id, task_id=task.id)
    uow.commit()
    s.refresh(task)
    return task_rows(s, select(Task).where(Task.id == task.id), now)[0]


def unclaim_task(uow, task_id: int, actor_id: int) -> dict:
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    task = visible_task(s, user, task_id)
    if task.assignee_id != user.id and not user.has_role(*OVERSEER_ROLES):
        raise Forbidden("only the assignee or a supervisor can give a task back")
    refuse_citizen_handover(user, task)
    refuse_while_delegated(task)
    done = s.execute(update(Task).where(Task.id == task.id, Task.state == "claimed")
                     .values(state="open", assignee_id=None)).rowcount
    if done != 1:
        raise Conflict("the task is not claimed", task_id=task.id)
    audit.append(s, now, user, "task.unclaimed", case_id=task.case_id, task_id=task.id)
    uow.commit()
    s.refresh(task)
    return task_rows(s, select(Task).where(Task.id == task.id), now)[0]


def complete_task(uow, task_id: int, data: object, actor_id: int,
                  expected_version: int | None = None, force_reason: str | None = None,
                  comment: str | None = None) -> dict:
    """Validate, complete, run the engine to its next wait states, store — one transaction.
    A task no longer open, or a case changed since ``expected_version``, is a Conflict.
    With ``force_reason`` a supervisor completes a stuck task that is not theirs. ``comment``
    (审批意见) lands in the case history."""
    s, now = uow.session, uow.clock.now()
    user, task = visible_open_task(uow, task_id, actor_id, lock_case=True)
    if force_reason is None and (signed := complete_signer(uow, user, task, data, comment)) is not None:
        return signed  # 加签: a signer's row, or a step held for the signers after it
    if force_reason is not None:
        if not user.has_role("supervisor"):
            raise Forbidden("only supervisors may force-complete a task", task_id=task.id)
        force_reason = require_reason(force_reason)
    elif not can_act(user, task):
        raise Forbidden("this task is not yours to complete" if task.assignee_id else
                        "you are not a candidate for this task", task_id=task.id)
    refuse_while_delegated(task)  # 委派: the delegate resolves; the owner completes
    case = task.case
    if case.status != "running":
        raise Conflict(f"the case is {case.status}", case_id=case.id)
    if expected_version is not None and expected_version != case.version:
        raise Conflict("the case changed since you loaded it", case_id=case.id)
    spec = task_spec(uow, task)
    cfg = human_config(spec)
    clean = validate(cfg.form, spec, task.draft | data if task.draft and isinstance(data, dict) else data)
    files = form_attachment_ids(cfg.form, spec, clean)
    check_attachment_ids(s, user, files)
    for f in cfg.form.fields:  # a field marked merge_into (当 its condition holds) names the master case
        when = f.properties.get("merge_into")
        if when and clean.get(f.name) not in (None, "") and expressions.evaluate(when, clean):
            merge(uow, case, clean[f.name], f.name, user, now)
    workflow = case_workflow(uow, case)
    spiff_task = find_task(workflow, task.spiff_task_id)
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise Conflict(f"task {task.id} is no longer waiting", task_id=task.id)
    for name, value in declared_defaults(cfg.form).items():
        spiff_task.data.setdefault(name, value)
    spiff_task.data.update(clean)
    before = completed_ids(workflow)
    run_engine(spiff_task.run)  # the person's own step: a failure here refuses their input
    failure = advance(workflow)
    done = s.execute(_COMPLETE, {"task_id": task.id, "user_id": user.id, "now": now},
                     execution_options={"synchronize_session": False}).rowcount
    if done != 1:
        raise Conflict(f"task {task.id} was completed by someone else", task_id=task.id)
    for name, value in (("state", "completed"), ("completed_by_id", user.id), ("completed_at", now),
                        ("assignee_id", user.id)):  # as written: no second UPDATE at the flush
        set_committed_value(task, name, value)
    cancel_timers(s, [task.id])
    link_form_attachments(s, case.id, files, task_id=task.id, at=now)
    action = "task.force_completed" if force_reason is not None else "task.completed"
    opened = run_engine(lambda: persist(uow, case, workflow, now, user, action, task_id=task.id,
                                        detail={"element": task.element_id, "data": clean}
                                        | ({"comment": comment.strip()} if comment and comment.strip() else {}),
                                        reason=force_reason or reason_given(cfg.form, clean),
                                        since=before, columns=clean, failure=failure, live=case.live_tasks))
    uow.publish(DomainEvent("task.completed", case.id, task.id, {"element": task.element_id, "data": clean}))
    uow.commit()
    return {"case": case_summary(case) | {"data": case.data},
            "next_tasks": opened_task_rows(uow, case, opened, now)}
