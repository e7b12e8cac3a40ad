"""Every department's status on a bundle case, at any time (办理进度): read from the inbox rows of
the parallel approval (one per item, ``Task.item``) and what each department decided, so it is
right in the middle of a round as well as after it."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..models import AuditEvent, Case, OrgUnit, Task
from ..models.cases import TASK_LIVE_STATES

DECISIONS = {"approve": "approved", "reject": "rejected", "supplement": "supplement_requested"}
DECISION_FIELD, REASON_FIELD = "decision", "opinion"
STATUS_LABELS = {"pending": ("待审批", "pending"), "in_review": ("审批中", "in review"),
                 "approved": ("已通过", "approved"), "rejected": ("不予通过", "rejected"),
                 "supplement_requested": ("待补正", "supplement requested"),
                 "not_reviewed": ("未审批", "not reviewed")}


def _decisions(session, task_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """Task id → (decision, reason) from the audit row of its completion."""
    if not task_ids:
        return {}
    audit.write_pending(session)  # a result notice is issued in the transaction of the last decision
    rows = session.execute(select(AuditEvent.task_id, AuditEvent.detail, AuditEvent.reason).where(
        AuditEvent.task_id.in_(task_ids), AuditEvent.action.in_(("task.completed", "task.force_completed"))))
    return {tid: ((detail.get("data") or {}).get(DECISION_FIELD), reason) for tid, detail, reason in rows}


def item_statuses(session, case: Case) -> list[dict]:
    """``[{code, name, department, department_name, status, outcome, reason}]`` in the
    application's order. ``outcome`` is the department's decision (approve/reject/supplement)."""
    items = case.data.get("items") or []
    rows = session.execute(select(Task, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == Task.org_unit_id)
                           .where(Task.case_id == case.id, Task.item.is_not(None)).order_by(Task.id)).all()
    latest = {task.item: (task, unit) for task, unit in rows}  # the last round's row wins
    decided = _decisions(session, [t.id for t, _ in latest.values() if t.state == "completed"])
    out = []
    for item in items:
        view = {k: item.get(k) for k in ("code", "name", "department", "department_name", "time_limit")}
        task, unit = latest.get(item.get("code"), (None, None))
        view |= _status(case, item, task, decided.get(task.id) if task else None)
        if unit:
            view["department_name"] = unit
        out.append(view)
    return out


def _status(case: Case, item: dict, task: Task | None, decided) -> dict:
    if task is not None and task.state in TASK_LIVE_STATES:
        return {"status": "in_review", "outcome": None, "reason": None, "due_at": task.due_at}
    if task is not None and task.state == "completed" and decided and decided[0] in DECISIONS:
        return {"status": DECISIONS[decided[0]], "outcome": decided[0], "reason": decided[1], "due_at": None}
    if item.get("outcome") in DECISIONS:  # decided by a rule (秒批), not by a person
        return {"status": DECISIONS[item["outcome"]], "outcome": item["outcome"],
                "reason": item.get("opinion"), "due_at": None}
    status = "not_reviewed" if case.status in ("completed", "terminated") else "pending"
    return {"status": status, "outcome": None, "reason": None, "due_at": None}
