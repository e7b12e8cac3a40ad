"""Who may see and act on what: candidate matching in Python (one task) and in SQL (the inbox)."""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, union_all
from sqlalchemy.orm import Session

from .models import OrgUnit, Task, TaskCandidate, User
from .models.cases import UNQUEUED

OVERSEER_ROLES = ("supervisor", "leader", "admin")
READ_ONLY_ROLES = ("leader",)  # they watch and decide the command mode; they change no case


def matches(user: User, candidates: list[TaskCandidate]) -> bool:
    """True if one of the user's role assignments fits one of the task's candidates.

    A role held city-wide (no org unit) fits that role anywhere; a role held in an org unit fits
    candidates for that role there or with no org unit; membership of an org unit fits candidates
    naming only that org unit."""
    for cand in candidates:
        if cand.user_id is not None:
            if cand.user_id == user.id:
                return True
            continue
        for held in user.roles:
            if cand.role is None:
                if held.org_unit_id is not None and held.org_unit_id == cand.org_unit_id:
                    return True
            elif cand.role == held.role and (held.org_unit_id is None or cand.org_unit_id is None
                                             or cand.org_unit_id == held.org_unit_id):
                return True
    return False


def queue_of(candidates: list[TaskCandidate]) -> str | None:
    """The group queue (``role@org_unit_id``, either side may be empty) of a task whose one
    candidate is a group; None when users or several groups may take it. A queue's page of the
    inbox is a range of one index (``ix_tasks_queue_order``) instead of a sort of every
    candidate row that fits (bench/RESULTS.md, inbox)."""
    if len(candidates) != 1 or candidates[0].user_id is not None:
        return None
    cand = candidates[0]
    if cand.role is None and cand.org_unit_id is None:
        return None
    return f"{cand.role or ''}@{cand.org_unit_id or ''}"


def set_candidates(task: Task, candidates: list[TaskCandidate]) -> None:
    """Give the task its candidates and the queue they make; a queued task's one candidate row
    is marked so that the inbox reads the task through its queue and not twice."""
    task.queue = queue_of(candidates)
    for cand in candidates:
        cand.queued = task.queue is not None
    task.candidates = candidates


def queues_of(user: User) -> tuple[list[str], list[str]]:
    """The queues whose tasks the user may take, as :func:`matches` decides: exact queue keys,
    and the roles held city-wide, whose every queue (``role@…``) fits."""
    everywhere = sorted({h.role for h in user.roles if h.org_unit_id is None})
    keys: set[str] = set()
    for held in user.roles:
        if held.org_unit_id is None:
            continue
        keys.add(f"@{held.org_unit_id}")
        if held.role not in everywhere:
            keys |= {f"{held.role}@{held.org_unit_id}", f"{held.role}@"}
    return sorted(keys), everywhere


def candidate_task_ids(user: User, unqueued: bool = False):
    """SQL twin of :func:`matches`: a select of the task ids whose candidates fit the user;
    with ``unqueued``, only the tasks not in a queue (the rest are read by queue)."""
    c = TaskCandidate
    conds = [c.user_id == user.id]
    for held in user.roles:
        if held.org_unit_id is None:
            conds.append(c.role == held.role)
        else:
            conds.append(and_(c.role == held.role,
                              or_(c.org_unit_id.is_(None), c.org_unit_id == held.org_unit_id)))
    org_ids = sorted({h.org_unit_id for h in user.roles if h.org_unit_id is not None})
    if org_ids:
        conds.append(and_(c.role.is_(None), c.org_unit_id.in_(org_ids)))
    query = select(c.task_id).where(or_(*conds))
    return query.where(UNQUEUED) if unqueued else query


def candidate_clause(user: User):
    """Tasks the user is a candidate for. IN, not a correlated EXISTS: the planner starts from
    the few candidate rows that fit, through their index, instead of walking every open task."""
    return Task.id.in_(candidate_task_ids(user))


def inbox_clause(user: User):
    """Claimed by the user, or unclaimed with the user among its candidates. One IN over a
    UNION so that both halves use their index (an OR of the two makes PostgreSQL scan tasks)."""
    mine = select(Task.id).where(Task.assignee_id == user.id)
    return and_(Task.id.in_(union_all(mine, candidate_task_ids(user))),
                or_(Task.assignee_id == user.id, Task.assignee_id.is_(None)))


def oversight_paths(session: Session, user: User) -> list[str] | None:
    """Org-tree prefixes a supervisor, leader or admin oversees; None means the whole city;
    [] means the user oversees nothing."""
    held = [h for h in user.roles if h.role in OVERSEER_ROLES]
    if any(h.org_unit_id is None for h in held):
        return None
    ids = [h.org_unit_id for h in held]
    if not ids:
        return []
    return list(session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(ids))))


def oversight_clause(session: Session, user: User):
    """Tasks whose org unit lies in the user's oversight subtree (None: no restriction)."""
    paths = oversight_paths(session, user)
    if paths is None:
        return None
    if not paths:
        return false()
    units = select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
    return or_(Task.org_unit_id.in_(units), exists().where(
        TaskCandidate.task_id == Task.id, TaskCandidate.org_unit_id.in_(units)))


def holds_role_within(user: User, role: str | None, paths: list[str] | None) -> bool:
    """True if the user holds ``role`` (None: any role) in an org unit under one of ``paths``;
    ``paths`` None means anywhere, a role held city-wide included."""
    for held in user.roles:
        if role is not None and held.role != role:
            continue
        if paths is None or (held.org_unit is not None and any(held.org_unit.path.startswith(p) for p in paths)):
            return True
    return False


def may_work(user: User, task: Task, paths: list[str] | None) -> bool:
    """Whether the task may be handed to this user: the task's candidate role held within
    ``paths``, or, for a task with no role, being one of its candidates there."""
    if task.role is None:
        return matches(user, task.candidates) and holds_role_within(user, None, paths)
    return holds_role_within(user, task.role, paths)


def is_staff(user: User) -> bool:
    """Anyone holding a role other than citizen: they may see the engine's own workings."""
    return any(r.role != "citizen" for r in user.roles)


def is_read_only(user: User) -> bool:
    """Holding only read-only roles (a leader): every change but their own settings, the
    command mode and their report subscription is refused (docs/visibility.md)."""
    return read_only_roles([r.role for r in user.roles])


def read_only_roles(roles: list[str]) -> bool:
    """:func:`is_read_only` for the role names a web session keeps."""
    return bool(roles) and set(roles) <= set(READ_ONLY_ROLES)


def can_act(user: User, task: Task) -> bool:
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return matches(user, task.candidates)


def can_see(session: Session, user: User, task: Task) -> bool:
    if user.id in (task.assignee_id, task.owner_id) or matches(user, task.candidates):  # owner: while delegated
        return True
    clause = oversight_clause(session, user)
    if clause is None:
        return user.has_role(*OVERSEER_ROLES)
    return bool(session.scalar(select(Task.id).where(Task.id == task.id, clause)))
