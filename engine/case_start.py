"""Opening a case: one workflow from a definition, run to its first wait states, stored with
its rows. Shared by people starting cases, call activities starting child cases, and start
events (message, signal, timer) starting cases by themselves."""
from __future__ import annotations

from collections.abc import Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .bpmn.event_delivery import start_workflow
from .bpmn.loader import definition_of
from .bpmn.script_engine import SCRIPT_ENGINE
from .case_numbers import next_case_number
from .case_sync import persist
from .case_trail import completed_ids
from .command_mode import start_data
from .events import DomainEvent
from .incidents import advance
from .models import Case, OrgUnit, ProcessDefinition, User


def open_case(uow, definition: ProcessDefinition, data: dict, actor: User | None, *,
              requester_id: int | None = None, trigger: Callable[[BpmnWorkflow], None] | None = None,
              parent: tuple[Case, str] | None = None, business_key: str | None = None,
              detail: dict | None = None) -> Case:
    """Create and store a case whose workflow starts with ``data``. ``trigger`` fires a
    particular start event (a message, signal or timer start: ``fire_start_event``) before the
    first engine step, else the initial one fires; the other start events are cancelled. ``parent``
    is (case, call-activity task id) for a child case. A process that ends at once completes
    its case in this same transaction; a failing step opens an incident instead of refusing."""
    s, now = uow.session, uow.clock.now()
    data = data | start_data(s, _text(data.get("district")), uow.settings.command_centre)  # 平战切换
    parsed = definition_of(uow, definition.id)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=SCRIPT_ENGINE)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    before = completed_ids(workflow)
    failure = advance(workflow, lambda: start_workflow(workflow, trigger))
    org_code = data.get("org_unit")
    case = Case(number=next_case_number(s, now), definition_id=definition.id, process_key=definition.key,
                status="running", title=str(data.get("title") or definition.name)[:300],
                category=_text(data.get("category")), district=_text(data.get("district")),
                lat=_number(data.get("lat")), lng=_number(data.get("lng")),
                org_unit_id=s.scalar(select(OrgUnit.id).where(OrgUnit.code == org_code)) if org_code else None,
                requester_id=requester_id if requester_id is not None else (actor.id if actor else None),
                business_key=business_key, parent_case_id=parent[0].id if parent else None,
                parent_spiff_task_id=parent[1] if parent else None, created_at=now)
    persist(uow, case, workflow, now, actor, "case.started", since=before, failure=failure,
            detail={"process": definition.key, "version": definition.version, "number": case.number}
            | (detail or {}))
    uow.publish(DomainEvent("case.started", case.id, payload={"number": case.number}))
    return case


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _text(value) -> str | None:
    return str(value)[:64] if value not in (None, "") else None
