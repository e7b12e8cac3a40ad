"""Call activities as linked cases: the parent waits at its call activity while a child case of
the called process runs; the child's end hands its mapped variables back and the parent goes on,
all in the transaction that ended the child (Camunda's semantics, with the child visible as a
case of its own)."""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import case_sync, expressions
from .bpmn.automatic import CallConfig, call_config
from .bpmn.loader import case_workflow, find_task
from .case_trail import completed_ids
from .incidents import Failure, advance, open_incident
from .models import Case, Incident, ProcessDefinition


def _ready_calls(workflow) -> list:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if call_config(t.task_spec)]


def _is_expression(source: str) -> bool:
    return source.startswith(("${", "#{")) and source.endswith("}")


def _mapped(pairs, all_vars: bool, data: dict) -> dict:
    """Variables crossing the boundary: all of them, or the named ones (a source may be an
    expression). Without a mapping nothing flows."""
    out = dict(data) if all_vars else {}
    for source, target in pairs:
        if _is_expression(source):
            out[target] = expressions.evaluate(source[2:-1], data)
        elif source in data:
            out[target] = data[source]
    return out


def _business_key(call: CallConfig, data: dict) -> str | None:
    key = call.business_key
    return str(expressions.evaluate(key[2:-1], data)) if key and _is_expression(key) else key


def _called_definition(session, call: CallConfig) -> ProcessDefinition | None:
    """The called process (an expression as calledElement is refused at upload)."""
    q = select(ProcessDefinition).where(ProcessDefinition.key == call.called_element)
    if call.binding == "version" and call.version:
        return session.scalar(q.where(ProcessDefinition.version == int(call.version)))
    return session.scalar(q.where(ProcessDefinition.status == "active")
                          .order_by(ProcessDefinition.version.desc()).limit(1))


def _has_open_incident(session, case_id: int, spiff_task_id: str) -> bool:
    return session.scalar(select(Incident.id).where(
        Incident.case_id == case_id, Incident.spiff_task_id == spiff_task_id,
        Incident.resolved_at.is_(None)).limit(1)) is not None


def _start_children(uow, case, workflow, now: datetime) -> None:
    from .case_start import open_case  # opening a case persists it, which lands back here

    s = uow.session
    for task in _ready_calls(workflow):
        sid = str(task.id)
        if s.scalar(select(Case.id).where(Case.parent_case_id == case.id, Case.parent_spiff_task_id == sid,
                                          Case.status.in_(("running", "suspended", "completed")))):
            continue
        if _has_open_incident(s, case.id, sid):
            continue
        call = call_config(task.task_spec)
        element = task.task_spec.bpmn_id
        definition = _called_definition(s, call)
        try:
            data = _mapped(call.ins, call.all_in, task.data)
            key = _business_key(call, task.data)
        except (expressions.ExpressionError, ValueError) as exc:
            open_incident(uow, case, Failure(element, sid, "call-activity", f"{element}: {exc}"), now)
            continue
        if definition is None:
            wanted = call.called_element + (f" version {call.version}" if call.binding == "version" else "")
            open_incident(uow, case, Failure(element, sid, "call-activity",
                                             f"{element}: no deployed process {wanted}"), now)
            continue
        open_case(uow, definition, data, None, requester_id=case.requester_id, parent=(case, sid),
                  business_key=key, detail={"parent": case.number, "call_activity": element})


def _resume_parent(uow, child, workflow, now: datetime) -> None:
    s = uow.session
    parent = s.get(Case, child.parent_case_id)
    if parent is None or parent.status != "running":
        return
    parent_flow = case_workflow(uow, parent)
    task = find_task(parent_flow, child.parent_spiff_task_id)
    if task is None or task.state != TaskState.READY:
        return
    call = call_config(task.task_spec)
    task.data.update(_mapped(call.outs, call.all_out, case_sync.workflow_data(workflow)))
    before = completed_ids(parent_flow)
    failure = advance(parent_flow, lambda: (task.run(), parent_flow.do_engine_steps()))
    case_sync.persist(uow, parent, parent_flow, now, None, "child.completed", since=before, failure=failure,
                      detail={"child": child.number, "element": task.task_spec.bpmn_id})


def sync(uow, case, workflow, now: datetime, finished: bool) -> None:
    """Start a child case for each call activity that became ready; a child that has just
    finished runs its parent on."""
    if case.status == "running":
        _start_children(uow, case, workflow, now)
    if finished and case.parent_case_id is not None:
        _resume_parent(uow, case, workflow, now)


def child_terminated(uow, child: Case, reason: str) -> None:
    """A child ended by a supervisor leaves its parent's call activity with no one to finish
    it: an incident on the parent says so (resolve skips the call, retry starts a new child)."""
    parent = uow.session.get(Case, child.parent_case_id) if child.parent_case_id else None
    if parent is None or parent.status != "running":
        return
    task = find_task(case_workflow(uow, parent), child.parent_spiff_task_id)
    element = task.task_spec.bpmn_id if task is not None else "callActivity"
    open_incident(uow, parent, Failure(element, child.parent_spiff_task_id, "call-activity",
                                       f"{element}: child case {child.number} was terminated: {reason}"),
                  uow.clock.now())
