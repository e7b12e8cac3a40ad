"""What a step leaves on the case besides its state: the reason given, the steps the engine ran
by itself, and the case columns a later step may change."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.defaults import IntermediateThrowEvent, ScriptTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update

from . import audit
from .models import OrgUnit, Task
from .models.cases import TASK_LIVE_STATES

AUDITED_SPECS = (BusinessRuleTaskMixin, ScriptTask, IntermediateThrowEvent)
TEXT_COLUMNS = {"title": 300, "category": 64, "district": 64}


def reason_given(form, clean: dict) -> str | None:
    """Submitted values of the fields marked ``reason``, enum values as their labels, in form order."""
    parts = [dict(f.choices).get(clean[f.name], str(clean[f.name])) for f in form.fields
             if f.properties.get("reason") == "true" and clean.get(f.name) not in (None, "")]
    return "；".join(parts) or None


def completed_ids(workflow) -> set:
    return {t.id for t in workflow.get_tasks(state=TaskState.COMPLETED)}


def completed_since(workflow, since: set) -> list:
    """The workflow tasks completed since ``since`` (one walk of the tree per change)."""
    return [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.id not in since]


def passed_elements(ran: list) -> list[str]:
    """The BPMN elements of ``ran`` (:func:`completed_since`): what a step made the case pass through."""
    return sorted({t.task_spec.bpmn_id for t in ran if t.task_spec.bpmn_id})


def audit_engine_steps(session, now, case_id: int, ran: list) -> None:
    """One ``step.completed`` row (actor: system) per decision table, script or milestone event
    among ``ran`` (:func:`completed_since`), with the data it changed."""
    for t in sorted((t for t in ran if isinstance(t.task_spec, AUDITED_SPECS)), key=lambda t: t.last_state_change):
        before = t.parent.data if t.parent is not None else {}
        changed = {k: v for k, v in t.data.items() if k not in before or before[k] != v}
        audit.append(session, now, None, "step.completed", case_id=case_id, detail={
            "element": t.task_spec.bpmn_id, "name": t.task_spec.bpmn_name or t.task_spec.bpmn_id,
            "data": changed})


def update_case_columns(session, case, data: dict, live: list[Task] | None = None) -> None:
    """title, category, district and org_unit given at a later step update the case's columns,
    and the copies its live steps hold for the inbox (a finished step keeps the case's columns
    as they were while it was open). ``live``: the case's live rows as the caller loaded them
    under the case's lock; they are changed in place (none left open: no statement at all)."""
    changed = {}
    for column, size in TEXT_COLUMNS.items():
        if column in data:
            value = str(data[column])[:size] if data[column] not in (None, "") else None
            if getattr(case, column) != value:
                changed[column] = value
                setattr(case, column, value)
    if changed and live is not None:
        for row in (r for r in live if r.state in TASK_LIVE_STATES):
            for column, value in changed.items():
                setattr(row, column, value)
    elif changed and case.id is not None:
        session.execute(update(Task).where(Task.case_id == case.id, Task.state.in_(TASK_LIVE_STATES))
                        .values(**changed))
    if data.get("org_unit"):
        case.org_unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == data["org_unit"]))
