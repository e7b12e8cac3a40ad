"""Nothing stops silently: running the workflow by itself either gets as far as it can or stops
at one failing element, which becomes an incident on the case (Camunda Cockpit's model).

The step that failed is left in ERROR in the stored state, so an admin can retry it (after
fixing variables) or resolve it (skip the element: its work was done by other means)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.defaults import ScriptTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import audit, expressions
from .errors import ProcessRefusal
from .events import DomainEvent
from .models import Incident


@dataclass(frozen=True)
class Failure:
    """One element the engine could not run, and why, in words for the admin."""

    element_id: str
    spiff_task_id: str | None
    kind: str
    message: str


def _cause(exc: BaseException) -> str:
    """The most specific reason in the chain (``unknown name 'x'``), not the library's wrapper."""
    seen = exc
    while seen is not None:
        if isinstance(seen, expressions.ExpressionError):
            return seen.reason
        seen = getattr(seen, "exception", None) or seen.__cause__
    return str(exc).split("\n")[0]


def _kind(task_spec) -> str:
    if isinstance(task_spec, ScriptTask):
        return "script"
    if isinstance(task_spec, BusinessRuleTaskMixin):
        return "decision"
    return "expression"


def refusal(exc: SpiffWorkflowException | expressions.ExpressionError) -> ProcessRefusal:
    """A failure no incident can hold, as a 422 that names the element and the cause."""
    element = getattr(getattr(getattr(exc, "task", None), "task_spec", None), "bpmn_id", None) or "process"
    return ProcessRefusal(f"the process could not continue at {element}: {_cause(exc)}",
                          fields={element: [_cause(exc)]})


def advance(workflow, step: Callable[[], object] | None = None) -> Failure | None:
    """Run ``step`` (default: the engine's own steps) and say where it stopped, if it failed.

    A failure that left no task in ERROR (the workflow could not even place it) is refused as
    before: the caller's transaction rolls back and the caller hears why."""
    try:
        (step or workflow.do_engine_steps)()
        return None
    except (SpiffWorkflowException, expressions.ExpressionError) as exc:
        failed = workflow.get_tasks(state=TaskState.ERROR)
        if not failed:
            raise refusal(exc) from exc
        task = failed[0]
        element = task.task_spec.bpmn_id or task.task_spec.name
        return Failure(element, str(task.id), _kind(task.task_spec), f"{element}: {_cause(exc)}")


def open_incident(uow, case, failure: Failure, now: datetime, *, attempts: int = 1,
                  external_task_id: int | None = None, timer_id: int | None = None) -> Incident:
    """Record the failure on the case, with its audit row, in the caller's transaction."""
    incident = Incident(case_id=case.id, element_id=failure.element_id, spiff_task_id=failure.spiff_task_id,
                        kind=failure.kind, message=failure.message[:4000], attempts=attempts,
                        external_task_id=external_task_id, timer_id=timer_id, created_at=now)
    uow.session.add(incident)
    uow.session.flush()
    audit.append(uow.session, now, None, "incident.opened", case_id=case.id, detail={
        "incident": incident.id, "element": failure.element_id, "kind": failure.kind, "message": incident.message})
    uow.publish(DomainEvent("incident.opened", case.id, payload={"incident": incident.id}))
    return incident


def open_incidents(session, case_id: int) -> list[Incident]:
    return list(session.scalars(select(Incident).where(
        Incident.case_id == case_id, Incident.resolved_at.is_(None)).order_by(Incident.id)))


def incident_view(incident: Incident, case_number: str | None = None) -> dict:
    return {"id": incident.id, "case_id": incident.case_id, "case_number": case_number,
            "element_id": incident.element_id, "kind": incident.kind, "message": incident.message,
            "attempts": incident.attempts, "created_at": incident.created_at,
            "resolved_at": incident.resolved_at, "resolution": incident.resolution, "reason": incident.reason}
