"""Documents issued as a case moves: 受理回执 when it is accepted, 补正告知书 when material is
asked for, 督办单 when it is urged, 办结通知书 when it completes and 不予受理决定书 when it is
terminated. Each is issued in the state change's transaction through ``engine.documents.issue``
(a JSON snapshot and an audit row); the PDF is rendered and its SHA-256 recorded once, on first
download (notifications/documents/store.py). Only cases with someone to tell get the citizen's
documents: a sensor's report has no one to hand a receipt to."""
from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from engine.documents import issue
from engine.models import Case, OrgUnit, Task

from .enqueue import derived, status_url
from .recipients import resolve

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone


def _local(uow, moment) -> str | None:
    return moment.astimezone(ZoneInfo(uow.settings.timezone)).isoformat() if moment else None


def _context(uow, case: Case, **extra) -> dict:
    unit = uow.session.get(OrgUnit, case.org_unit_id) if case.org_unit_id else None
    who = resolve(uow.session, ["requester"], case, None) if case.requester_id or case.data else []
    return {"issuer": unit.name if unit else "政务服务中心", "issued_at": _local(uow, uow.clock.now()),
            "case": {"number": case.number, "title": case.title, "applicant": who[0].name if who else "",
                     "submitted_at": _local(uow, case.created_at), "closed_at": _local(uow, case.closed_at)},
            "status_url": status_url(uow.settings, case)} | extra


def _has_requester(uow, case: Case) -> bool:
    return bool(resolve(uow.session, ["requester"], case, None))


def on_case_started(uow, event) -> None:
    """Give the case its query code, then (for a requester) its 受理回执 with the QR code."""
    case = uow.session.get(Case, event.case_id)
    if case is None:
        return
    if case.query_code is None:
        case.query_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    if derived(uow, event) and _has_requester(uow, case):
        issue(uow, case, "receipt", "acceptance_receipt", "受理回执", _context(uow, case))


def on_task_completed(uow, event) -> None:
    case = uow.session.get(Case, event.case_id)
    if case is not None and "supplement.requested" in derived(uow, event) and _has_requester(uow, case):
        task = uow.session.get(Task, event.task_id)
        data = event.payload.get("data") or {}
        reason = next((str(data[k]) for k in ("reason", "comment", "opinion", "supplement_items") if data.get(k)), "")
        issue(uow, case, "supplement_notice", "supplement_notice", "补正告知书",
              _context(uow, case, step=task.name if task else "", reason=reason))


def on_case_urged(uow, event) -> None:
    case, task = uow.session.get(Case, event.case_id), uow.session.get(Task, event.task_id)
    if case is not None and task is not None:
        issue(uow, case, "urging_notice", "urging_notice", "督办单",
              _context(uow, case, step=task.name, reason=event.payload.get("reason", ""),
                       due_at=_local(uow, task.due_at)))


def on_case_completed(uow, event) -> None:
    case = uow.session.get(Case, event.case_id)
    if case is not None and _has_requester(uow, case):
        issue(uow, case, "completion_notice", "completion_notice", "办结通知书", _context(uow, case))


def on_case_terminated(uow, event) -> None:
    case = uow.session.get(Case, event.case_id)
    if case is not None and case.parent_case_id is None and _has_requester(uow, case):
        issue(uow, case, "refusal_decision", "refusal_decision", "不予受理决定书",
              _context(uow, case, reason=event.payload.get("reason", "")))


HANDLERS = {"case.started": on_case_started, "task.completed": on_task_completed, "case.urged": on_case_urged,
            "case.completed": on_case_completed, "case.terminated": on_case_terminated}
