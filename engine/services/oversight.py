"""What supervisors and leaders watch over their org subtree: open tasks counted by org unit ×
category × deadline state (in SQL, so the board stays one query however many tasks are open),
the same tasks listed with filters for the drill-down, and one task with what may be done to it."""
from __future__ import annotations

from sqlalchemy import and_, case, func, select

from ..errors import Forbidden, InvalidInput
from ..models import Case, OrgUnit, ProcessDefinition, SupervisionItem, Task, User
from ..models.cases import TASK_OPEN_STATES
from ..permissions import oversight_clause
from .common import load_actor
from .inbox import all_category_names
from .queries import task_rows
from .tasks import get_task

OVERSEERS = ("supervisor", "leader")
SLA_STATES = ("ok", "warning", "overdue")


def may_supervise(uow, actor_id: int) -> dict:
    """Refuse (403) anyone who is neither a supervisor nor a leader; the supervision pages ask
    this first, so a citizen or handler never sees even an empty board."""
    user = _overseer(uow, actor_id)
    return {"may_override": user.has_role("supervisor"), "may_see_incidents": user.has_role("supervisor")}


def _overseer(uow, actor_id: int) -> User:
    user = load_actor(uow.session, actor_id)
    if not user.has_role(*OVERSEERS):
        raise Forbidden("the supervision pages are for supervisors and leaders")
    return user


def _sla_expr(now):
    """SQL twin of :func:`queries.sla_state`, so counts and filters agree with each row's badge."""
    return case((and_(Task.due_at.is_not(None), Task.due_at < now), "overdue"),
                (and_(Task.warn_at.is_not(None), Task.warn_at <= now), "warning"), else_="ok")


def _subtree(s, user: User, query):
    clause = oversight_clause(s, user)
    return query if clause is None else query.where(clause)


def sla_matrix(uow, actor_id: int) -> list[dict]:
    """Open tasks in warning or overdue, counted per (org unit, category); a task with no org
    unit (a role held anywhere) counts under ``None``. Ordered by overdue count, most first."""
    s, now = uow.session, uow.clock.now()
    user = _overseer(uow, actor_id)
    state = _sla_expr(now)
    overdue = func.sum(case((state == "overdue", 1), else_=0))
    warning = func.sum(case((state == "warning", 1), else_=0))
    q = (select(OrgUnit.code, OrgUnit.name, Case.category, warning, overdue)
         .select_from(Task).join(Case, Case.id == Task.case_id)
         .outerjoin(OrgUnit, OrgUnit.id == Task.org_unit_id)
         .where(Task.state.in_(TASK_OPEN_STATES), state != "ok")
         .group_by(OrgUnit.code, OrgUnit.name, Case.category))
    rows = s.execute(_subtree(s, user, q)).all()
    labels = all_category_names(s)
    out = [{"org_unit": code, "org_unit_name": name, "category": category,
            "category_name": labels.get(category or "", category), "warning": int(w or 0),
            "overdue": int(o or 0)} for code, name, category, w, o in rows]
    return sorted(out, key=lambda r: (-r["overdue"], -r["warning"], r["org_unit"] or "", r["category"] or ""))


def subtree_tasks(uow, actor_id: int, sla: str | None = None, org_unit: str | None = None,
                  category: str | None = None, process_key: str | None = None,
                  page: int = 1, per_page: int = 50) -> dict:
    """Every open task in the overseer's subtree (the inbox's ``scope=all``), filtered like the
    board's cells: ``org_unit="-"`` means tasks with no org unit, ``category="-"`` no category."""
    s, now = uow.session, uow.clock.now()
    user = _overseer(uow, actor_id)
    if sla and sla not in SLA_STATES:
        raise InvalidInput("unknown deadline state", fields={"sla": [f"one of {', '.join(SLA_STATES)}"]})
    if page < 1 or not 1 <= per_page <= 200:
        raise InvalidInput("bad page", fields={"page": ["at least 1"]})
    q = select(Task).join(Case, Case.id == Task.case_id).where(Task.state.in_(TASK_OPEN_STATES))
    if sla:
        q = q.where(_sla_expr(now) == sla)
    if org_unit == "-":
        q = q.where(Task.org_unit_id.is_(None))
    elif org_unit:
        q = q.where(Task.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.code == org_unit)))
    if category == "-":
        q = q.where(Case.category.is_(None))
    elif category:
        q = q.where(Case.category == category)
    if process_key:
        q = q.where(Case.process_key == process_key)
    q = _subtree(s, user, q)
    total = s.scalar(select(func.count()).select_from(q.with_only_columns(Task.id).subquery()))
    q = q.order_by(Task.due_at.is_(None), Task.due_at, Task.priority.desc(), Task.id)
    items = task_rows(s, q.limit(per_page).offset((page - 1) * per_page), now)
    _add_case_columns(s, items)
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def _add_case_columns(s, rows: list[dict]) -> None:
    """The process name, category and status beside each row, for the page's columns."""
    ids = {r["case_id"] for r in rows}
    if not ids:
        return
    found = {cid: (name, category, status) for cid, name, category, status in s.execute(
        select(Case.id, ProcessDefinition.name, Case.category, Case.status)
        .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id).where(Case.id.in_(ids)))}
    for r in rows:
        r["process_name"], r["category"], r["case_status"] = found.get(r["case_id"], (None, None, None))


def supervised_task(uow, task_id: int, actor_id: int) -> dict:
    """One task as the override page shows it: the task with its form and case (404 outside the
    subtree), its pending extension request if any, and what the overseer may do."""
    rights = may_supervise(uow, actor_id)
    out = get_task(uow, task_id, actor_id)
    pending = uow.session.scalar(select(SupervisionItem).where(
        SupervisionItem.task_id == task_id, SupervisionItem.kind == "extension",
        SupervisionItem.resolved_at.is_(None)))
    out["pending_extension"] = None if pending is None else {
        "reason": pending.reason, "created_at": pending.created_at, **(pending.detail or {})}
    out["process_name"] = uow.session.scalar(select(ProcessDefinition.name).where(
        ProcessDefinition.id == select(Case.definition_id).where(Case.id == out["case_id"]).scalar_subquery()))
    return out | rights
