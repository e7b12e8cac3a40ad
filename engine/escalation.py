"""Escalation (提级/督办): a breached deadline puts the case on the supervision board of the org
unit one level up; still overdue later, it climbs again, up to the city and then the
discipline-referral list (纪检)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from . import audit
from .calendar import parse_limit
from .calendar.store import calendar_for
from .events import DomainEvent
from .models import Case, OrgUnit, SupervisionItem, Task, Timer


def _start_unit(session, task: Task) -> OrgUnit | None:
    """Where the task sits: its org unit, else its case's; a task for a role anywhere counts as
    sitting just below the top of the tree, so its first escalation reaches the city."""
    case = session.get(Case, task.case_id)
    unit_id = task.org_unit_id or case.org_unit_id
    if unit_id:
        return session.get(OrgUnit, unit_id)
    root = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1))
    return root and OrgUnit(id=None, parent_id=root.id, code="", name="", kind="", path="", level=1)


def escalate(uow, task: Task, level: int, now: datetime, reason: str) -> SupervisionItem:
    """Put ``task``'s case on the board ``level`` steps up from the task's org unit and schedule
    the next climb; beyond the top of the tree the case goes on the discipline list."""
    s = uow.session
    unit = _start_unit(s, task)
    for _ in range(level):
        if unit is None or unit.parent_id is None:
            unit = None
            break
        unit = s.get(OrgUnit, unit.parent_id)
    kind = "escalation" if unit is not None else "discipline"
    item = SupervisionItem(case_id=task.case_id, task_id=task.id, org_unit_id=unit.id if unit else None,
                           level=level, kind=kind, reason=reason, created_at=now)
    s.add(item)
    audit.append(s, now, None, f"case.{kind}", case_id=task.case_id, task_id=task.id, reason=reason,
                 detail={"level": level, "org_unit": unit.code if unit else None})
    uow.publish(DomainEvent("case.escalated", task.case_id, task.id,
                            {"level": level, "kind": kind, "org_unit": unit.code if unit else None}))
    if kind == "escalation":
        after = parse_limit(uow.settings.escalate_after if uow.settings else "2wd")
        at = calendar_for(uow).add(now, after).at
        s.add(Timer(case_id=task.case_id, task_id=task.id, kind="escalate", fire_at=at,
                    payload={"level": level + 1}))
    return item

