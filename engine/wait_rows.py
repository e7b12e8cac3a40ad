"""Rows for what a case waits on besides people and timers: external tasks that workers fetch,
and message or signal subscriptions. Like inbox rows, they are brought in step with the
workflow on every save, so the API finds waiting cases with an indexed query and never
deserializes workflows to look."""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select, update

from .bpmn.automatic import external_config
from .bpmn.specs import process_has
from .candidates import task_priority
from .models import EventSubscription, ExternalTask


def ready_external_tasks(workflow) -> list:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if external_config(t.task_spec)]


def sync_external_tasks(session, case, workflow, now: datetime) -> list[ExternalTask]:
    """One open row per READY external service task; rows whose task moved on are cancelled
    (a completed row was already marked by whoever completed it). Returns the new rows."""
    if not process_has(workflow, "external", external_config):
        return []
    ready = {str(t.id): t for t in ready_external_tasks(workflow)}
    rows = session.scalars(select(ExternalTask).where(ExternalTask.case_id == case.id,
                                                      ExternalTask.state.in_(("open", "failed")))).all()
    gone = [r.id for r in rows if r.spiff_task_id not in ready]
    if gone:
        session.execute(update(ExternalTask).where(ExternalTask.id.in_(gone)).values(state="cancelled"))
    known = {r.spiff_task_id for r in rows}
    new = []
    for sid, task in ready.items():
        if sid in known:
            continue
        cfg = external_config(task.task_spec)
        new.append(ExternalTask(case_id=case.id, spiff_task_id=sid, element_id=task.task_spec.bpmn_id,
                                topic=cfg.topic, priority=task_priority(cfg.priority, task.data, task.task_spec.bpmn_id, 0),
                                created_at=now))
    session.add_all(new)
    return new


def _event_kind(definition) -> str | None:
    if isinstance(definition, MessageEventDefinition):
        return "message"
    return "signal" if isinstance(definition, SignalEventDefinition) else None


def _catches_messages(task_spec) -> bool:
    definition = getattr(task_spec, "event_definition", None)
    return any(_event_kind(d) for d in getattr(definition, "event_definitions", None) or [definition])


def waiting_events(workflow) -> list[tuple[str, str, str, str]]:
    """(spiff task id, element id, kind, name) for each message or signal the workflow waits on."""
    out = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        definitions = getattr(definition, "event_definitions", None) or [definition]
        for d in definitions:
            kind = _event_kind(d)
            if kind and d.name:
                out.append((str(task.id), task.task_spec.bpmn_id or task.task_spec.name, kind, d.name))
    return out


def sync_subscriptions(session, case, workflow, now: datetime) -> None:
    """One subscription row per message or signal the workflow waits on, none once it stops."""
    if not process_has(workflow, "messages", _catches_messages):
        return
    waiting = set(waiting_events(workflow)) if case.status == "running" else set()
    rows = session.scalars(select(EventSubscription).where(EventSubscription.case_id == case.id)).all()
    have = {(r.spiff_task_id, r.element_id, r.kind, r.name): r for r in rows}
    stale = [r.id for key, r in have.items() if key not in waiting]
    if stale:
        session.execute(delete(EventSubscription).where(EventSubscription.id.in_(stale)))
    session.add_all(EventSubscription(case_id=case.id, spiff_task_id=sid, element_id=element, kind=kind,
                                      name=name, created_at=now)
                    for sid, element, kind, name in waiting - have.keys())
