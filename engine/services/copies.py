"""抄送: copying a case to colleagues or an org unit so they may read it (never act on it), with
a note and a notification. A copy addressed to an org unit is one row, read by any member."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from .. import audit
from ..errors import Forbidden, InvalidInput, NotFound, ProcessRefusal
from ..events import DomainEvent
from ..models import Case, CaseCopy, OrgUnit, User, UserRole
from ..permissions import OVERSEER_ROLES, can_act, is_staff
from .common import load_actor, refuse_citizen_handover, visible_open_task


def _recipients(s: Session, users: list[str], org_units: list[str]) -> tuple[list[User], list[OrgUnit]]:
    """Staff users and existing org units, or an error naming the field: a citizen must not be
    handed another person's case to read."""
    found = {u.username: u for u in s.scalars(select(User).where(User.username.in_(users), User.active.is_(True)))}
    unknown = [n for n in users if n not in found]
    if unknown:
        raise InvalidInput("unknown user", fields={"users": [f"no user {n!r}" for n in unknown]})
    citizens = [n for n in users if not is_staff(found[n]) or found[n].has_role("citizen")]
    if citizens:
        raise ProcessRefusal("a case is copied to staff only",
                             fields={"users": [f"{n} is not staff" for n in citizens]})
    units = {u.code: u for u in s.scalars(select(OrgUnit).where(OrgUnit.code.in_(org_units)))}
    missing = [c for c in org_units if c not in units]
    if missing:
        raise InvalidInput("unknown org unit", fields={"org_units": [f"no org unit {c!r}" for c in missing]})
    return [found[n] for n in users], [units[c] for c in org_units]


def _members(s: Session, unit: OrgUnit) -> list[int]:
    return sorted(set(s.scalars(select(UserRole.user_id).join(User, User.id == UserRole.user_id).where(
        UserRole.org_unit_id == unit.id, UserRole.role != "citizen", User.active.is_(True)))))


def copy_case(uow, task_id: int, actor_id: int, users: list[str] | None = None,
              org_units: list[str] | None = None, note: str = "") -> dict:
    """抄送 from an open task, by whoever may act on it, its owner, or a supervisor, leader or
    admin overseeing it. One row per recipient; a ``case.copied`` event per recipient carries the
    user ids to notify. Nothing changes for the task itself."""
    user, task = visible_open_task(uow, task_id, actor_id)
    if not (can_act(user, task) or task.owner_id == user.id or user.has_role(*OVERSEER_ROLES)):
        raise Forbidden("only the person working the task or a supervisor may copy its case", task_id=task.id)
    refuse_citizen_handover(user, task)
    users, org_units = list(dict.fromkeys(users or [])), list(dict.fromkeys(org_units or []))
    if not users and not org_units:
        raise InvalidInput("copy to whom?", fields={"users": ["name users or org_units"]})
    s, now = uow.session, uow.clock.now()
    people, units = _recipients(s, users, org_units)
    note = (note or "").strip()
    copies = [CaseCopy(case_id=task.case_id, task_id=task.id, user_id=p.id, note=note, by_id=user.id,
                       created_at=now) for p in people]
    copies += [CaseCopy(case_id=task.case_id, task_id=task.id, org_unit_id=u.id, note=note, by_id=user.id,
                        created_at=now) for u in units]
    s.add_all(copies)
    s.flush()
    audit.append(s, now, user, "case.copied", case_id=task.case_id, task_id=task.id,
                 detail={"users": users, "org_units": org_units, "note": note})
    for copy, person in zip(copies, people):
        uow.publish(DomainEvent("case.copied", task.case_id, task.id,
                                {"copy_id": copy.id, "user_ids": [person.id], "note": note}))
    for copy, unit in zip(copies[len(people):], units):
        uow.publish(DomainEvent("case.copied", task.case_id, task.id,
                                {"copy_id": copy.id, "org_unit": unit.code, "user_ids": _members(s, unit),
                                 "note": note}))
    uow.commit()
    return {"case_id": task.case_id, "copies": [{"id": c.id, "user": p.username} for c, p in zip(copies, people)]
            + [{"id": c.id, "org_unit": u.code} for c, u in zip(copies[len(people):], units)]}


def _addressed_to(user: User):
    """Copies for the user or for an org unit they hold a role in."""
    org_ids = sorted({h.org_unit_id for h in user.roles if h.org_unit_id is not None})
    return or_(CaseCopy.user_id == user.id, CaseCopy.org_unit_id.in_(org_ids)) if org_ids \
        else CaseCopy.user_id == user.id


def _copy_rows(s: Session, query) -> list[dict]:
    sender = aliased(User)
    q = query.add_columns(Case.number, Case.title, sender.username).join(Case, Case.id == CaseCopy.case_id) \
        .join(sender, sender.id == CaseCopy.by_id)
    return [{"id": c.id, "case_id": c.case_id, "case_number": number, "title": title, "note": c.note,
             "by": by, "created_at": c.created_at, "read_at": c.read_at} for c, number, title, by in s.execute(q)]


def list_copies(uow, actor_id: int, unread: bool = False) -> list[dict]:
    """What was copied to me (newest first); ``unread``: only those not yet marked read."""
    s = uow.session
    user = load_actor(s, actor_id)
    q = select(CaseCopy).where(_addressed_to(user))
    if unread:
        q = q.where(CaseCopy.read_at.is_(None))
    return _copy_rows(s, q.order_by(CaseCopy.created_at.desc(), CaseCopy.id.desc()))


def mark_read(uow, copy_id: int, actor_id: int) -> dict:
    """Mark a copy addressed to me as read (the first reading's time stays); anyone else's copy
    is NotFound, so its existence does not leak."""
    s = uow.session
    user = load_actor(s, actor_id)
    copy = s.scalar(select(CaseCopy).where(CaseCopy.id == copy_id, _addressed_to(user)))
    if copy is None:
        raise NotFound(f"no copy {copy_id}")
    if copy.read_at is None:
        copy.read_at = uow.clock.now()
    uow.commit()
    return _copy_rows(s, select(CaseCopy).where(CaseCopy.id == copy_id))[0]
