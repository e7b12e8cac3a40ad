"""The case's diagram for the case page: its own definition version's BPMN XML and which
elements it has passed, is at, and is late at — read from rows, no workflow loading."""
from __future__ import annotations

from sqlalchemy import select

from ..models import AuditEvent, ProcessDefinition, Task
from ..models.cases import TASK_LIVE_STATES
from .common import load_actor
from .queries import visible_case

PASSING_ACTIONS = ("task.completed", "task.force_completed", "step.completed")


def case_diagram(uow, case_id: int, actor_id: int) -> dict:
    """``{bpmn_xml, completed, current, overdue}`` (element ids, sorted) for a case the actor
    may see; NotFound otherwise, as ``get_case``. The XML is the version the case runs on, so
    a newer deployment never paints an old case onto the wrong drawing. An element reopened by
    a return or withdrawal is current, not completed."""
    s, now = uow.session, uow.clock.now()
    case = visible_case(s, load_actor(s, actor_id), case_id)
    xml = s.scalar(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == case.definition_id))
    rows = s.execute(select(Task.element_id, Task.state, Task.due_at).where(Task.case_id == case.id)).all()
    current = {e for e, state, _ in rows if state in TASK_LIVE_STATES}
    overdue = {e for e, state, due_at in rows if state in TASK_LIVE_STATES and due_at is not None and due_at < now}
    completed = {e for e, state, _ in rows if state == "completed"}
    details = s.scalars(select(AuditEvent.detail).where(
        AuditEvent.case_id == case.id, AuditEvent.action.in_(PASSING_ACTIONS)))
    completed |= {d["element"] for d in details if isinstance(d, dict) and d.get("element")}
    return {"bpmn_xml": xml, "completed": sorted(completed - current), "current": sorted(current),
            "overdue": sorted(overdue)}
