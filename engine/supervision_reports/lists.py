"""The four kinds of case a supervision report names (docs/kpis.md §6), read from the cases'
step rows by BPMN element id (engine/kpis/stages.py). Each function returns, per case id, the
reasons it qualifies: plain dicts with a ``code`` that the pages and the PDF put into words.

Two kinds are a state at the report's instant ``as_of`` (the period's end, or now for a period
still running): 应办未办 and 久拖不决. Two are events inside the period ``start_at``..``as_of``:
反复投诉 and 推诿扯皮."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..kpis import stages
from ..models import Case, CaseLink, Task
from ..models.cases import TASK_LIVE_STATES

HOLD_RELEASE = "Task_hold_release"  # 解除挂账: open for as long as an approved 挂账 lasts
Reasons = dict[int, list[dict]]


def _hours(later: datetime, earlier: datetime) -> float:
    return round((later - earlier).total_seconds() / 3600, 1)


def overdue(s: Session, as_of: datetime, unit_names: dict[int, str]) -> Reasons:
    """应办未办: steps whose deadline had passed at ``as_of`` and that were not done by then.
    Left out: cancelled steps, steps whose clock was paused at ``as_of`` (挂账 approval, a
    waiting extension, a suspended case) and the requester's own steps (评价, 补正)."""
    undone = or_(Task.state.in_(TASK_LIVE_STATES), and_(Task.state == "completed", Task.completed_at > as_of))
    rows = s.execute(select(Task.case_id, Task.name, Task.org_unit_id, Task.due_at)
                     .join(Case, Case.id == Task.case_id)
                     .where(Task.due_at < as_of, Task.created_at < as_of, undone,
                            or_(Task.paused_at.is_(None), Task.paused_at > as_of),
                            or_(Task.assignee_id.is_(None), Case.requester_id.is_(None),
                                Task.assignee_id != Case.requester_id))
                     .order_by(Task.due_at, Task.id))
    out: Reasons = defaultdict(list)
    for case_id, name, unit_id, due_at in rows:
        out[case_id].append({"code": "overdue", "step": name, "unit": unit_names.get(unit_id, ""),
                             "due_at": due_at, "hours": _hours(as_of, due_at)})
    return out


def repeated(s: Session, start_at: datetime, as_of: datetime) -> Reasons:
    """反复投诉: a case into which a duplicate report was merged (并件) in the period, or one
    re-handled in the period after an unsatisfied evaluation (不满意甄别 → 处置 again)."""
    out: Reasons = defaultdict(list)
    duplicate = aliased(Case)
    merged: dict[int, list[str]] = defaultdict(list)
    for master_id, number in s.execute(
            select(CaseLink.master_case_id, duplicate.number).join(duplicate, duplicate.id == CaseLink.case_id)
            .where(CaseLink.created_at >= start_at, CaseLink.created_at < as_of).order_by(CaseLink.id)):
        merged[master_id].append(number)
    for master_id, numbers in merged.items():
        out[master_id].append({"code": "merged", "numbers": numbers})
    reviewed = select(Task.case_id).where(Task.element_id == stages.UNSATISFIED_REVIEW)
    handled = select(Task.case_id).where(Task.element_id == stages.HANDLE, Task.created_at >= start_at,
                                         Task.created_at < as_of, Task.case_id.in_(reviewed))
    for case_id, rows in _rows(s, handled, as_of).items():
        again = [row.created_at for before, row in zip(rows, rows[1:])
                 if row.element_id == stages.HANDLE and before.element_id == stages.UNSATISFIED_REVIEW]
        if again and again[-1] >= start_at:
            out[case_id].append({"code": "rehandled", "at": again[-1], "times": len(again)})
    return out


def long_open(s: Session, as_of: datetime, received_before: datetime, working_days) -> Reasons:
    """久拖不决: accepted cases received before ``received_before`` (more than the setting's
    working days before ``as_of``) and neither closed nor 办结 (their last 核查 passed) by
    ``as_of``, with ``working_days(received_at)`` open; and cases on hold (挂账) at ``as_of``."""
    out: Reasons = defaultdict(list)
    accepted = and_(~exists().where(CaseLink.case_id == Case.id),
                    func.coalesce(Case.data["decision"].as_string(), "") != stages.VOID_DECISION)
    old = select(Case.id).where(Case.created_at < received_before, accepted,
                                or_(Case.closed_at.is_(None), Case.closed_at > as_of))
    done = {case_id for case_id, rows in _rows(s, old, as_of, (stages.VERIFY, stages.HANDLE)).items()
            if _verified(rows, as_of)}
    for case_id, received_at in s.execute(select(Case.id, Case.created_at).where(Case.id.in_(old)).order_by(Case.id)):
        if case_id not in done:
            out[case_id].append({"code": "open_long", "received_at": received_at,
                                 "working_days": working_days(received_at)})
    for case_id, since, due_at in s.execute(
            select(Task.case_id, Task.created_at, Task.due_at).where(
                Task.element_id == HOLD_RELEASE, Task.created_at < as_of, Task.state != "cancelled",
                or_(Task.completed_at.is_(None), Task.completed_at > as_of)).order_by(Task.id)):
        out[case_id].append({"code": "on_hold", "since": since, "review_due_at": due_at})
    return out


def buck_passing(s: Session, start_at: datetime, as_of: datetime, unit_names: dict[int, str]) -> Reasons:
    """推诿扯皮: a case returned (退单) for the second time or more in the period, or sent to
    争议会商 in the period (who is responsible was disputed)."""
    out: Reasons = defaultdict(list)
    returned = select(Task.case_id).where(Task.element_id == stages.RETURN_REVIEW, Task.created_at >= start_at,
                                          Task.created_at < as_of)
    for case_id, rows in _rows(s, returned, as_of, (stages.SIGN_FOR, stages.RETURN_REVIEW)).items():
        reviews = [i for i, row in enumerate(rows) if row.element_id == stages.RETURN_REVIEW]
        if len(reviews) >= 2 and any(rows[i].created_at >= start_at for i in reviews[1:]):
            units = [unit_names.get(rows[i - 1].org_unit_id, "") for i in reviews
                     if i > 0 and rows[i - 1].element_id == stages.SIGN_FOR]
            out[case_id].append({"code": "returned", "times": len(reviews), "units": units})
    for case_id, at in s.execute(select(Task.case_id, Task.created_at).where(
            Task.element_id == stages.CONSULT, Task.created_at >= start_at, Task.created_at < as_of).order_by(Task.id)):
        out[case_id].append({"code": "consulted", "at": at})
    return out


def _rows(s: Session, case_ids, as_of: datetime, elements: tuple[str, ...] | None = None) -> dict[int, list]:
    """The step rows opened before ``as_of`` of the cases ``case_ids`` selects, in the order
    they were opened, optionally only those of ``elements``."""
    q = (select(Task.case_id, Task.id, Task.element_id, Task.state, Task.org_unit_id, Task.created_at,
                Task.completed_at).where(Task.case_id.in_(case_ids), Task.created_at < as_of)
         .order_by(Task.case_id, Task.id))
    if elements:
        q = q.where(Task.element_id.in_(elements))
    out: dict[int, list] = defaultdict(list)
    for row in s.execute(q):
        out[row.case_id].append(row)
    return out


def _verified(rows: list, as_of: datetime) -> bool:
    """办结 at ``as_of``: a 核查 row completed by then with no 处置 row opened after it."""
    passed = [r.id for r in rows if r.element_id == stages.VERIFY and r.state == "completed"
              and r.completed_at is not None and r.completed_at <= as_of]
    return bool(passed) and not any(r.element_id == stages.HANDLE and r.id > passed[-1] for r in rows)
