"""Incidents for people (Camunda Cockpit): admins list, retry and resolve them; supervisors see
those of the cases in their subtree. Each action is one transaction with its audit row.

Retry runs the failed element again (with corrected variables, if given). Resolve is for work
done by other means: the element is skipped and the case goes on; a gateway or a BPMN timer
cannot be skipped, since no one could say which way the case should go."""
from __future__ import annotations


from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .. import audit
from ..bpmn.loader import case_workflow, find_task
from ..case_sync import persist
from ..case_trail import completed_ids
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, ProcessRefusal
from ..incidents import advance, incident_view
from ..models import Case, ExternalTask, Incident, Timer, User
from .common import load_actor, require_reason, require_role
from .queries import case_visibility

_UNSKIPPABLE = (ExclusiveGateway, InclusiveGateway)


def list_incidents(uow, actor_id: int, case_id: int | None = None, include_resolved: bool = False) -> list[dict]:
    s = uow.session
    user = load_actor(s, actor_id)
    if not user.has_role("admin", "supervisor"):
        raise Forbidden("incidents are for admins and supervisors")
    q = select(Incident, Case.number).join(Case, Case.id == Incident.case_id).order_by(Incident.id)
    if not include_resolved:
        q = q.where(Incident.resolved_at.is_(None))
    if case_id is not None:
        q = q.where(Incident.case_id == case_id)
    clause = None if user.has_role("admin") else case_visibility(s, user)
    if clause is not None:
        q = q.where(clause)
    return [incident_view(i, number) for i, number in s.execute(q)]


def _open_incident(uow, actor_id: int, incident_id: int) -> tuple[User, Incident, Case]:
    s = uow.session
    user = load_actor(s, actor_id)
    require_role(user, "admin")
    incident = s.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    if incident.resolved_at is not None:
        raise Conflict(f"incident {incident.id} is already {incident.resolution}")
    case = s.get(Case, incident.case_id)
    if case.status != "running":
        raise Conflict(f"the case is {case.status}", case_id=case.id)
    return user, incident, case


def _close(uow, incident: Incident, user: User, resolution: str, reason: str | None) -> None:
    now = uow.clock.now()
    incident.resolved_at, incident.resolved_by_id = now, user.id
    incident.resolution, incident.reason = resolution, reason
    audit.append(uow.session, now, user, f"incident.{resolution}", case_id=incident.case_id, reason=reason,
                 detail={"incident": incident.id, "element": incident.element_id, "kind": incident.kind})


def _workflow_task(uow, case: Case, incident: Incident):
    workflow = case_workflow(uow, case)
    task = find_task(workflow, incident.spiff_task_id)
    if task is None or task.state not in (TaskState.ERROR, TaskState.READY):
        raise Conflict(f"{incident.element_id} is no longer waiting to be retried", case_id=case.id)
    return workflow, task


def _rerun(uow, user: User, incident: Incident, case: Case, variables: dict, skip: bool,
           reason: str | None = None) -> None:
    """Run the failed element again, or (``skip``) mark it done without running it."""
    workflow, task = _workflow_task(uow, case, incident)
    task.data.update(variables)
    if task.state == TaskState.ERROR:
        task._set_state(TaskState.READY)
    before = completed_ids(workflow)
    failure = advance(workflow, lambda: ((task.complete() if skip else task.run()), workflow.do_engine_steps()))
    if failure is not None and failure.spiff_task_id == incident.spiff_task_id:
        incident.attempts, incident.message = incident.attempts + 1, failure.message[:4000]
        failure = None  # still the same incident, one attempt more
    else:
        _close(uow, incident, user, "resolved" if skip else "retried", reason)
    persist(uow, case, workflow, uow.clock.now(), user, "incident.skipped" if skip else "case.retried",
            detail={"incident": incident.id, "element": incident.element_id}, since=before, failure=failure)


def retry_incident(uow, incident_id: int, actor_id: int, variables: dict | None = None) -> dict:
    """Run the element again: a script, expression or decision (with ``variables`` merged in
    first), an external task back in the pool, a failed timer re-armed, a child case restarted."""
    user, incident, case = _open_incident(uow, actor_id, incident_id)
    s, now = uow.session, uow.clock.now()
    if variables is not None and not isinstance(variables, dict):
        raise InvalidInput("variables must be an object", fields={"variables": ["must be an object"]})
    if incident.kind in ("external-task", "bpmn-error") and incident.external_task_id:
        row = s.get(ExternalTask, incident.external_task_id)
        row.state, row.retries, row.lock_owner, row.lock_expires_at = "open", 1, None, None
        _close(uow, incident, user, "retried", None)
    elif incident.kind == "timer" and incident.timer_id:
        timer = s.get(Timer, incident.timer_id)
        timer.state, timer.attempts, timer.lease_owner, timer.lease_expires_at, timer.fire_at = \
            "pending", 0, None, None, now
        _close(uow, incident, user, "retried", None)
    elif incident.kind == "call-activity":
        _close(uow, incident, user, "retried", None)
        workflow, _ = _workflow_task(uow, case, incident)
        persist(uow, case, workflow, now, user, "case.retried", detail={"incident": incident.id})
    else:
        _rerun(uow, user, incident, case, variables or {}, skip=False)
    uow.commit()
    return incident_view(incident, case.number)


def resolve_incident(uow, incident_id: int, actor_id: int, reason: str) -> dict:
    """The step's work was done by other means: skip the element and let the case go on."""
    reason = require_reason(reason)
    user, incident, case = _open_incident(uow, actor_id, incident_id)
    if incident.kind == "timer":
        raise ProcessRefusal("a failed timer cannot be skipped; retry it or terminate the case",
                             fields={"incident": ["retry instead"]})
    if incident.external_task_id:
        uow.session.get(ExternalTask, incident.external_task_id).state = "cancelled"
    workflow, task = _workflow_task(uow, case, incident)
    if isinstance(task.task_spec, _UNSKIPPABLE):
        raise ProcessRefusal(f"{incident.element_id} is a gateway: no one can say which way to go; "
                             "retry it with corrected variables", fields={"incident": ["retry instead"]})
    _rerun(uow, user, incident, case, {}, skip=True, reason=reason)
    uow.commit()
    return incident_view(incident, case.number)
