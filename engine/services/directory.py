"""Users, their roles and the org-unit tree."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..errors import Conflict, InvalidInput, NotFound, ProcessRefusal
from ..models import ORG_KINDS, ROLES, OrgUnit, User, UserRole
from ..passwords import hash_password
from .common import admin_or_server


def _org_by_code(session, code: str, field: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput(f"no org unit with code {code!r}", fields={field: [f"unknown org unit {code!r}"]})
    return unit


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("password too short", fields={"password": ["at least 8 characters"]})


def _check_roles(roles: list[str]) -> None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise InvalidInput("unknown role", fields={"roles": [
            f"unknown: {', '.join(unknown)}; roles are {', '.join(ROLES)}" if unknown else "at least one role"]})


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
    _check_roles(roles)
    _check_password(password)
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


def _user_named(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def get_user(uow, username: str, actor_id: int | None) -> dict:
    """One user as :func:`list_users` shows them; admins only, unknown names 404."""
    admin_or_server(uow, actor_id)
    return user_view(_user_named(uow.session, username))


def _role_changes(s, user: User, changes: dict) -> list[UserRole] | None:
    """The user's new role rows when ``roles`` or ``org_unit`` change (every role held in that one
    unit, as at creation), or None. Rows that stay keep their identity, so the unique
    (user, role, org unit) constraint never sees a row deleted and re-added in one flush."""
    if "roles" not in changes and "org_unit" not in changes:
        return None
    roles = list(dict.fromkeys(changes.get("roles", user.role_names())))
    _check_roles(roles)
    if "org_unit" in changes:
        unit = _org_by_code(s, changes["org_unit"], "org_unit") if changes["org_unit"] else None
    else:
        units = {r.org_unit_id for r in user.roles}
        if len(units) > 1:
            raise InvalidInput("name the org unit", fields={"org_unit": [
                "required: this user holds roles in several org units"]})
        unit = user.roles[0].org_unit if user.roles else None
    kept = {(r.role, r.org_unit_id): r for r in user.roles}
    return [kept.get((role, unit.id if unit else None)) or UserRole(role=role, org_unit=unit) for role in roles]


def update_user(uow, username: str, changes: dict, actor_id: int | None) -> dict:
    """Apply ``changes`` (any of display_name, active, roles, org_unit; ``org_unit`` None means
    everywhere) and audit what actually changed as ``user.updated``. A disabled user can neither
    sign in nor use a token issued before. An admin may not disable themselves or drop their
    own admin role (ProcessRefusal): nobody else could undo it."""
    s = uow.session
    actor = admin_or_server(uow, actor_id)
    user = _user_named(s, username)
    before = user_view(user)
    if "display_name" in changes:
        if not changes["display_name"].strip():
            raise InvalidInput("display name is empty", fields={"display_name": ["must not be empty"]})
        user.display_name = changes["display_name"].strip()
    if "active" in changes:
        user.active = bool(changes["active"])
    new_roles = _role_changes(s, user, changes)
    if actor is not None and actor.id == user.id:
        if not user.active:
            raise ProcessRefusal("you may not disable yourself", fields={"active": ["not your own account"]})
        if new_roles is not None and "admin" not in {r.role for r in new_roles}:
            raise ProcessRefusal("you may not remove your own admin role",
                                 fields={"roles": ["keep 'admin' on your own account"]})
    if new_roles is not None:
        user.roles = new_roles
    s.flush()
    after = user_view(user)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if after[k] != before[k]}
    if changed:
        audit.append(s, uow.clock.now(), actor, "user.updated", detail={"username": username, "changes": changed})
    uow.commit()
    return after


def set_password(uow, username: str, password: str, actor_id: int | None) -> dict:
    """An admin (or the CLI) sets a user's password, with the same rules as at creation; this is
    how a 免申即享 account, imported without a password, first gets one. The audit row
    (``user.password_reset``) names the user, never the password."""
    s = uow.session
    actor = admin_or_server(uow, actor_id)
    user = _user_named(s, username)
    _check_password(password)
    user.password_hash = hash_password(password)
    audit.append(s, uow.clock.now(), actor, "user.password_reset", detail={"username": username})
    uow.commit()
    return user_view(user)
