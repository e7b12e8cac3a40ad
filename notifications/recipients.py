"""Who a rule's recipient kinds mean for one event: people with their contacts and the channels
they turned off. A requester who is not a user (a phone call to 12345) is reached through the
contact fields the case was started with."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

from engine.models import Case, OrgUnit, Task, User, UserRole
from engine.permissions import matches

from .models import ChannelOptOut

PHONE_FIELDS = ("phone", "contact_phone", "applicant_phone", "mobile")
EMAIL_FIELDS = ("email", "contact_email", "applicant_email")
NAME_FIELDS = ("applicant_name", "contact_name", "reporter_name")


@dataclass(frozen=True)
class Recipient:
    user_id: int | None
    name: str
    email: str | None
    phone: str | None
    lang: str = "zh-CN"
    opted_out: frozenset[str] = field(default_factory=frozenset)


def _first(data: dict, names: tuple[str, ...]) -> str | None:
    return next((str(data[n]).strip() for n in names if data.get(n)), None)


def _requester(s, case: Case) -> list[Recipient]:
    data = case.data or {}
    lang = "en" if data.get("lang") == "en" else "zh-CN"
    user = s.get(User, case.requester_id) if case.requester_id else None
    phone, email = _first(data, PHONE_FIELDS), _first(data, EMAIL_FIELDS)
    if user is not None and user.has_role("citizen"):  # staff who typed in a call: the caller's contact
        return [_person(s, user, lang, phone=phone, email=email)]
    if not (phone or email):
        return []
    return [Recipient(None, _first(data, NAME_FIELDS) or "", email, phone, lang)]


def _person(s, user: User, lang: str = "zh-CN", phone: str | None = None, email: str | None = None) -> Recipient:
    off = frozenset(s.scalars(select(ChannelOptOut.channel).where(ChannelOptOut.user_id == user.id)))
    return Recipient(user.id, user.display_name or user.username, user.email or email, user.phone or phone, lang, off)


def _tasks(s, event) -> list[Task]:
    ids = event.payload.get("task_ids") or ([event.task_id] if event.task_id else [])
    return [t for t in (s.get(Task, i) for i in ids) if t is not None]


def _candidates(s, task: Task) -> list[User]:
    roles = {c.role for c in task.candidates if c.role}
    ids = {c.user_id for c in task.candidates if c.user_id}
    units = {c.org_unit_id for c in task.candidates if c.org_unit_id}
    users = s.scalars(select(User).where(User.active.is_(True), or_(
        User.id.in_(ids), User.roles.any(UserRole.role.in_(roles)), User.roles.any(UserRole.org_unit_id.in_(units)))))
    return [u for u in users if matches(u, task.candidates)]


def _supervisors(s, task: Task) -> list[User]:
    """Supervisors city-wide or over an org unit above (or at) the task's."""
    unit = s.get(OrgUnit, task.org_unit_id) if task.org_unit_id else None
    above = [int(i) for i in unit.path.strip("/").split("/") if i] if unit else []
    return list(s.scalars(select(User).where(User.active.is_(True), User.roles.any(
        (UserRole.role == "supervisor") & (UserRole.org_unit_id.is_(None) | UserRole.org_unit_id.in_(above))))))


def resolve(s, kinds: list[str], case: Case | None, event) -> list[Recipient]:
    """Everyone the kinds name for this event, each person once."""
    users: list[User] = []
    people: list[Recipient] = []
    for kind in kinds:
        if kind == "requester":
            people += _requester(s, case) if case is not None else []
        elif kind in ("copied", "staff_in_scope"):  # the people the event names
            users += [u for u in (s.get(User, i) for i in event.payload.get("user_ids", ())) if u]
        for task in _tasks(s, event) if kind in ("assignee", "candidates", "supervisor", "owner") else ():
            if kind == "assignee" and task.assignee_id:
                users.append(s.get(User, task.assignee_id))
            elif kind in ("assignee", "candidates"):
                users += _candidates(s, task)
            elif kind == "owner" and task.owner_id:
                users.append(s.get(User, task.owner_id))
            elif kind == "supervisor":
                users += _supervisors(s, task)
    seen = {p.user_id for p in people if p.user_id}
    for user in users:
        if user is not None and user.active and user.id not in seen:
            seen.add(user.id)
            people.append(_person(s, user))
    return people
