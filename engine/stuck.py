"""The invariant that nothing stops silently, as a query: a running case always waits on an
open human task, a pending timer, a message or signal subscription, an open external task, a
running child case or an open incident. Tests check it after every step; ``civicflow check``
runs it on a live database."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from .models import Case, EventSubscription, ExternalTask, Incident, Task, Timer
from .models.cases import TASK_OPEN_STATES


def _waits_on_something():
    child = aliased(Case)
    return [
        exists().where(Task.case_id == Case.id, Task.state.in_(TASK_OPEN_STATES)),
        exists().where(Timer.case_id == Case.id, Timer.kind == "bpmn-timer", Timer.state == "pending"),
        exists().where(EventSubscription.case_id == Case.id),
        exists().where(ExternalTask.case_id == Case.id, ExternalTask.state == "open"),
        exists().where(child.parent_case_id == Case.id, child.status.in_(("running", "suspended"))),
        exists().where(Incident.case_id == Case.id, Incident.resolved_at.is_(None)),
    ]


def stuck_cases(session: Session, case_ids: list[int] | None = None) -> list[int]:
    """Ids of running cases that wait on nothing anyone can see (should always be empty)."""
    q = select(Case.id).where(Case.status == "running", *[~cond for cond in _waits_on_something()])
    if case_ids is not None:
        q = q.where(Case.id.in_(case_ids))
    return list(session.scalars(q.order_by(Case.id)))
