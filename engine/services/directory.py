"""Users, their roles and the org-unit tree."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..errors import Conflict, InvalidInput, NotFound
from ..models import ORG_KINDS, ROLES, OrgUnit, User, UserRole
from ..passwords import hash_password
from .common import admin_or_server


def _org_by_code(session, code: str, field: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput(f"no org unit with code {code!r}", fields={field: [f"unknown org unit {code!r}"]})
    return unit


def create_org_unit(uow, code: str, name: str, kind: str, parent: str | None,
                    actor_id: int | None) -> dict:
    actor = admin_or_server(uow, actor_id)
    unit = add_org_unit(uow, code, name, kind, parent, actor)
    uow.commit()
    return org_unit_view(unit, parent)


def add_org_unit(uow, code: str, name: str, kind: str, parent: str | None, actor) -> OrgUnit:
    """:func:`create_org_unit` inside the caller's transaction (a bundle adds its departments)."""
    s = uow.session
    if kind not in ORG_KINDS:
        raise InvalidInput("unknown kind", fields={"kind": [f"one of {', '.join(ORG_KINDS)}"]})
    if s.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise Conflict(f"org unit {code!r} exists already", fields={"code": ["already exists"]})
    parent_unit = _org_by_code(s, parent, "parent") if parent else None
    unit = OrgUnit(code=code, name=name, kind=kind, parent_id=parent_unit.id if parent_unit else None,
                   level=parent_unit.level + 1 if parent_unit else 0)
    s.add(unit)
    s.flush()
    unit.path = f"{parent_unit.path if parent_unit else '/'}{unit.id}/"
    audit.append(s, uow.clock.now(), actor, "org_unit.created",
                 detail={"code": code, "name": name, "kind": kind, "parent": parent})
    return unit


def org_unit_view(unit: OrgUnit, parent_code: str | None) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
            "parent": parent_code, "level": unit.level}


def list_org_units(uow) -> list[dict]:
    """The tree: each unit with its ``children``, roots first, in creation order."""
    units = uow.session.scalars(select(OrgUnit).order_by(OrgUnit.id)).all()
    by_id = {u.id: org_unit_view(u, None) | {"children": []} for u in units}
    roots = []
    for u in units:
        node = by_id[u.id]
        if u.parent_id in by_id:
            node["parent"] = by_id[u.parent_id]["code"]
            by_id[u.parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots


def create_user(uow, username: str, password: str, roles: list[str], org_unit: str | None,
                display_name: str = "", actor_id: int | None = None) -> dict:
    s = uow.session
    actor = admin_or_server(uow, actor_id)
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise InvalidInput("unknown role", fields={"roles": [
            f"unknown: {', '.join(unknown)}; roles are {', '.join(ROLES)}" if unknown else "at least one role"]})
    if len(password) < 8:
        raise InvalidInput("password too short", fields={"password": ["at least 8 characters"]})
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists already", fields={"username": ["already exists"]})
    unit = _org_by_code(s, org_unit, "org_unit") if org_unit else None
    now = uow.clock.now()
    user = User(username=username, password_hash=hash_password(password),
                display_name=display_name or username, created_at=now,
                roles=[UserRole(role=r, org_unit=unit) for r in dict.fromkeys(roles)])
    s.add(user)
    s.flush()
    audit.append(s, now, actor, "user.created",
                 detail={"username": username, "roles": roles, "org_unit": org_unit})
    uow.commit()
    return user_view(user)


def user_view(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "active": user.active, "roles": user.role_names(),
            "org_units": sorted({r.org_unit.code for r in user.roles if r.org_unit is not None})}


def list_users(uow, actor_id: int, role: str | None = None, org_unit: str | None = None) -> list[dict]:
    s = uow.session
    admin_or_server(uow, actor_id)
    q = select(User).order_by(User.username)
    if role:
        q = q.where(User.roles.any(UserRole.role == role))
    if org_unit:
        unit = s.scalar(select(OrgUnit).where(OrgUnit.code == org_unit))
        if unit is None:
            raise NotFound(f"no org unit {org_unit!r}")
        q = q.where(User.roles.any(UserRole.org_unit_id == unit.id))
    return [user_view(u) for u in s.scalars(q)]
