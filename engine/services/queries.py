"""Read-only views for screens and the API: plain dicts, joined in SQL, no workflow loading."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from .. import audit
from ..bundles.items import item_statuses
from ..errors import NotFound
from ..incidents import incident_view, open_incidents
from ..models import (AuditEvent, Case, CaseCopy, CaseFollower, CaseLink, OrgUnit, ProcessDefinition, Task,
                      User)
from ..models.cases import TASK_OPEN_STATES
from ..permissions import candidate_clause, oversight_paths


def sla_state(task: Task, now: datetime) -> str:
    if task.due_at is not None and now > task.due_at:
        return "overdue"
    if task.warn_at is not None and now >= task.warn_at:
        return "warning"
    return "ok"


def task_row_view(task, case_number: str, org_code: str | None, assignee: str | None,
                  now: datetime, owner: str | None = None, org_name: str | None = None) -> dict:
    """``task``: a Task, or a row of its columns (``_TASK_ROWS``)."""
    return {"id": task.id, "case_id": task.case_id, "case_number": case_number, "name": task.name,
            "title": task.title, "element_id": task.element_id, "role": task.role,
            "org_unit": org_code, "org_unit_name": org_name, "assignee": assignee, "state": task.state, "due_at": task.due_at,
            "warn_at": task.warn_at, "due_provisional": task.due_provisional, "sla_state": sla_state(task, now), "priority": task.priority,
            "form_key": task.form_key, "created_at": task.created_at,
            "owner": owner, "delegation": task.delegation}


def task_rows(session: Session, query, now: datetime) -> list[dict]:
    """Run a select of Task rows (filtered, ordered, paged) and join what the inbox shows beside
    each. Two steps: the page of ids first, on the tasks table and its indexes alone, then the
    joins for that page only (joining first made PostgreSQL join every candidate row)."""
    return task_rows_by_id(session, list(session.scalars(query.with_only_columns(Task.id))), now)


def _task_rows_statement():
    """Built once, in Core: what task_row_view reads, for a list of task ids. Building Task
    objects (their JSON columns decoded) and the ORM's statement work per call took 4 of an
    inbox page's 7 ms here at 1,000,000 tasks (bench/RESULTS.md, inbox)."""
    tasks, cases, units = Task.__table__, Case.__table__, OrgUnit.__table__
    assignee, owner = User.__table__.alias("assignee"), User.__table__.alias("owner")
    c = tasks.c
    return (select(c.id, c.case_id, c.name, c.title, c.element_id, c.role, c.state, c.due_at, c.warn_at,
                   c.due_provisional, c.priority, c.form_key, c.created_at, c.delegation,
                   cases.c.number.label("case_number"), units.c.code.label("org_code"),
                   units.c.name.label("org_name"), assignee.c.username.label("assignee"),
                   owner.c.username.label("owner"))
            .select_from(tasks.join(cases, cases.c.id == c.case_id)
                         .outerjoin(units, units.c.id == c.org_unit_id)
                         .outerjoin(assignee, assignee.c.id == c.assignee_id)
                         .outerjoin(owner, owner.c.id == c.owner_id))
            .where(c.id.in_(bindparam("ids", expanding=True))))


_TASK_ROWS = _task_rows_statement()


def task_rows_by_id(session: Session, ids: list[int], now: datetime) -> list[dict]:
    """Inbox rows for these task ids, in this order."""
    if not ids:
        return []
    rows = {r.id: task_row_view(r, r.case_number, r.org_code, r.assignee, now, r.owner, r.org_name)
            for r in session.execute(_TASK_ROWS, {"ids": ids})}
    return [rows[i] for i in ids]


def opened_task_rows(uow, case: Case, tasks: list[Task], now: datetime) -> list[dict]:
    """Inbox rows for the tasks this transaction just opened, from the rows themselves rather
    than read back: a completion answers with its next steps. Org unit and assignee names come
    from the per-process cache (neither is ever renamed; new org units and users get new ids)."""
    def org_unit(unit_id: int | None) -> tuple[str | None, str | None]:
        if unit_id is None:
            return None, None
        return uow.cache.get_or_load(("org-unit-view", unit_id), lambda: tuple(uow.session.execute(
            select(OrgUnit.code, OrgUnit.name).where(OrgUnit.id == unit_id)).one()))

    def username(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return uow.cache.get_or_load(("username", user_id), lambda: uow.session.scalar(
            select(User.username).where(User.id == user_id)))

    rows = []
    for t in tasks:
        code, name = org_unit(t.org_unit_id)
        rows.append(task_row_view(t, case.number, code, username(t.assignee_id), now, username(t.owner_id), name))
    return rows


def case_visibility(session: Session, user: User):
    involved = exists().where(Task.case_id == Case.id, or_(
        Task.assignee_id == user.id, Task.completed_by_id == user.id, candidate_clause(user)))
    paths = oversight_paths(session, user)
    if paths is None:
        return None
    reported = aliased(Case)
    merged_reporter = exists().where(CaseLink.master_case_id == Case.id, CaseLink.case_id.in_(
        select(reported.id).where(reported.requester_id == user.id)))
    followed = exists().where(CaseFollower.case_id == Case.id, CaseFollower.user_id == user.id)  # 关注
    conds = [Case.requester_id == user.id, involved, merged_reporter, followed, *_copied(user)]
    if paths:
        units = select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
        conds += [Case.org_unit_id.in_(units),
                  exists().where(Task.case_id == Case.id, Task.org_unit_id.in_(units))]
    return or_(*conds)


def _copied(user: User) -> list:
    """抄送: cases copied to the user or to an org unit they hold a role in. Two EXISTS, each
    on its own (user_id|org_unit_id, case_id) index."""
    conds = [exists().where(CaseCopy.case_id == Case.id, CaseCopy.user_id == user.id)]
    org_ids = sorted({h.org_unit_id for h in user.roles if h.org_unit_id is not None})
    if org_ids:
        conds.append(exists().where(CaseCopy.case_id == Case.id, CaseCopy.org_unit_id.in_(org_ids)))
    return conds


def visible_case(session: Session, user: User, case_id: int) -> Case:
    """The case, or NotFound when it does not exist or the user may not see it (no leak)."""
    q = select(Case).where(Case.id == case_id)
    clause = case_visibility(session, user)
    case = session.scalar(q if clause is None else q.where(clause))
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def case_summary(case: Case, process_version: int | None = None) -> dict:
    return {"id": case.id, "number": case.number, "status": case.status, "process_key": case.process_key,
            "process_version": process_version, "title": case.title, "category": case.category,
            "district": case.district, "version": case.version, "created_at": case.created_at,
            "closed_at": case.closed_at}


def _links(session: Session, case: Case) -> dict:
    """Reports merged into this case, and the master this one was merged into (并件)."""
    merged = session.execute(select(Case.id, Case.number).join(CaseLink, CaseLink.case_id == Case.id)
                             .where(CaseLink.master_case_id == case.id).order_by(Case.id)).all()
    master = session.execute(select(Case.id, Case.number).join(CaseLink, CaseLink.master_case_id == Case.id)
                             .where(CaseLink.case_id == case.id)).first()
    return {"merged": [{"id": i, "number": n} for i, n in merged],
            "merged_into": {"id": master[0], "number": master[1]} if master else None}


def case_history(session: Session, case_id: int) -> list[dict]:
    # in the order written (id), not by seq: a case whose rows began before migration 0018 has
    # its early rows in chain 1 and its later ones numbered afresh in its own chain
    audit.write_pending(session)
    rows = session.execute(
        select(AuditEvent, Task.name).outerjoin(Task, Task.id == AuditEvent.task_id)
        .where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)).all()
    return [{"at": e.at, "actor": e.actor, "action": e.action, "task": name or e.detail.get("name"), "detail": e.detail,
             "reason": e.reason, "comment": e.detail.get("comment")} for e, name in rows]


def _family(session: Session, case: Case) -> dict:
    """Child cases started by this case's call activities, and the parent of a child case."""
    children = session.execute(select(Case.id, Case.number, Case.process_key, Case.status)
                               .where(Case.parent_case_id == case.id).order_by(Case.id)).all()
    parent = session.execute(select(Case.id, Case.number).where(Case.id == case.parent_case_id)).first() \
        if case.parent_case_id else None
    return {"children": [{"id": i, "number": n, "process_key": k, "status": st} for i, n, k, st in children],
            "parent": {"id": parent[0], "number": parent[1]} if parent else None}


def case_view(session: Session, case: Case, with_history: bool, now: datetime,
              with_incidents: bool = False) -> dict:
    """The case as its viewer sees it; incidents (engine internals) only for staff."""
    version = session.scalar(select(ProcessDefinition.version).where(ProcessDefinition.id == case.definition_id))
    out = case_summary(case, version) | {"data": case.data} | _links(session, case) | _family(session, case)
    if with_incidents:
        out["incidents"] = [incident_view(i, case.number) for i in open_incidents(session, case.id)]
    out["tasks"] = task_rows(session, select(Task).where(
        Task.case_id == case.id, Task.state.in_(TASK_OPEN_STATES)).order_by(Task.id), now)
    if case.data.get("bundle"):
        out["items"] = item_statuses(session, case)
    if with_history:
        out["history"] = case_history(session, case.id)
    return out


def case_list(session: Session, user: User, status: str | None, process_key: str | None,
              q: str | None, page: int, per_page: int) -> dict:
    query = select(Case)
    clause = case_visibility(session, user)
    if clause is not None:
        query = query.where(clause)
    if status:
        query = query.where(Case.status == status)
    if process_key:
        query = query.where(Case.process_key == process_key)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Case.number.like(like), Case.title.like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Case.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return {"items": [case_summary(c) for c in rows], "page": page, "per_page": per_page, "total": total}
