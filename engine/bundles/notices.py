"""The documents a bundle case is given as it passes the elements its ``bundle.json`` names
(统一出件 result, a 准予许可决定书 granted on commitments, a 撤销决定书): issued in the same
transaction as the step, as data to render; notifications/ renders the PDF."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..documents import issue
from ..models import AuditEvent, Case, Task
from ..models.cases import TASK_LIVE_STATES
from .items import item_statuses
from .store import bundle_for_process


def issue_on_passing(uow, event) -> None:
    """In-transaction subscriber of ``elements.passed``."""
    case = uow.session.get(Case, event.case_id)
    if case is None:
        return
    bundle = bundle_for_process(uow, case.process_key)
    if bundle is None:
        return
    passed = set(event.payload.get("elements", ()))
    for rule in bundle.definition["documents"]:
        if rule["on"] in passed:
            context = CONTEXTS.get(rule["template"], _base)(uow.session, case, bundle.definition)
            context["issued_at"] = uow.clock.now().isoformat()
            issue(uow, case, rule["kind"], rule["template"], rule["title"], context)


def _base(session, case: Case, definition: dict) -> dict:
    data = case.data
    return {"case": {"number": case.number, "title": case.title, "applicant": data.get("applicant_name"),
                     "submitted_at": case.created_at.isoformat(),
                     "closed_at": case.closed_at.isoformat() if case.closed_at else None},
            "bundle": {"key": definition["key"], "name": definition["name"],
                       "illustrative": definition["illustrative"]}}


def _overall(statuses: list[str]) -> str:
    if statuses and all(s == "approved" for s in statuses):
        return "approved"
    return "partly_approved" if "approved" in statuses else "rejected"


def _result(session, case: Case, definition: dict) -> dict:
    items = item_statuses(session, case)
    amount = case.data.get("approved_amount", case.data.get("subsidy_amount"))
    rows = [{"name": i["name"], "department": i["department_name"], "outcome": i["status"],
             "reason": i["reason"]} | ({"amount": amount} if amount is not None else {}) for i in items]
    return _base(session, case, definition) | {"outcome": _overall([i["status"] for i in items]), "items": rows}


def _approval(session, case: Case, definition: dict) -> dict:
    due = session.scalar(select(Task.due_at).where(
        Task.case_id == case.id, Task.state.in_(TASK_LIVE_STATES), Task.item.is_(None),
        Task.due_at.is_not(None)).order_by(Task.due_at).limit(1))
    return _base(session, case, definition) | {
        "commitments": definition["commitments"], "check_due_at": due.isoformat() if due else None}


def _revocation(session, case: Case, definition: dict) -> dict:
    audit.write_pending(session)  # the reason is on the completion this notice may follow in one transaction
    reason = session.scalar(select(AuditEvent.reason).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "task.completed", AuditEvent.reason.is_not(None))
        .order_by(AuditEvent.id.desc()).limit(1))
    return _base(session, case, definition) | {"reason": reason or ""}


CONTEXTS = {"bundle_result": _result, "approval_notice": _approval, "revocation_notice": _revocation}
