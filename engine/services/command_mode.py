"""平战切换 for leaders and supervisors: the modes in force over what they oversee, and switching
the city or one district, with its audit row and the notice to the staff it concerns in one
transaction. The rule of which switch wins is engine/command_mode.py's."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..command_mode import (EMERGENCY, ModeInForce, history, mode_for_district, modes_in_force, related,
                            staff_in_scope)
from ..errors import Conflict, Forbidden, InvalidInput
from ..events import DomainEvent
from ..models import CommandModeSwitch, OrgUnit, User
from ..models.command_mode import MODES
from .common import load_actor

OVERSEERS = ("supervisor", "leader")
MAX_REASON = 2000  # as every other reason (ReasonIn, the pages' reason field)
CACHE = "command-modes"  # the banner's cache keys; a switch drops them


def _view(m: ModeInForce) -> dict:
    return {"mode": m.mode, "scope_org_unit": m.scope_code, "scope_name": m.scope_name, "reason": m.reason,
            "switched_by": m.switched_by, "switched_at": m.switched_at}


def _overseer(uow, actor_id: int) -> tuple[User, list[str] | None]:
    """The actor and the org-tree paths they oversee as supervisor or leader (None: the whole
    city, for a role held everywhere or at the root of the tree); 403 for anyone else."""
    user = load_actor(uow.session, actor_id)
    held = [h for h in user.roles if h.role in OVERSEERS]
    if not held:
        raise Forbidden("command mode is switched by supervisors and leaders")
    if any(h.org_unit is None or h.org_unit.parent_id is None for h in held):
        return user, None
    return user, [h.org_unit.path for h in held]


def _may_switch(paths: list[str] | None, scope: OrgUnit | None) -> bool:
    return paths is None or (scope is not None and any(scope.path.startswith(p) for p in paths))


def _districts(session, paths: list[str] | None) -> list[OrgUnit]:
    units = session.scalars(select(OrgUnit).where(OrgUnit.kind == "district").order_by(OrgUnit.code))
    return [u for u in units if _may_switch(paths, u)]


def current(uow, actor_id: int) -> dict:
    """The city's mode, each district with its own later switch and the recent switches, as far
    as they concern what the actor oversees; ``scopes``: what the actor may switch, each with
    the mode in force there (the city first, ``scope_org_unit`` None)."""
    s = uow.session
    _, paths = _overseer(uow, actor_id)
    city, districts = modes_in_force(s)

    def visible(m: ModeInForce) -> bool:
        return paths is None or m.scope_path is None or any(related(p, m.scope_path) for p in paths)

    own = {m.scope_code: m for m in districts}
    scopes = [{"scope_org_unit": None, "scope_name": None, "mode": city.mode}] if paths is None else []
    scopes += [{"scope_org_unit": u.code, "scope_name": u.name, "mode": own.get(u.code, city).mode}
               for u in _districts(s, paths)]
    return {"city": _view(city), "districts": [_view(m) for m in districts if visible(m)],
            "history": [_view(m) for m in history(s) if visible(m)], "scopes": scopes}


def _scope(session, code: str | None, errors: dict) -> OrgUnit | None:
    """The district named by ``code``; None for the city (no code, or the city's own code)."""
    if not code:
        return None
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        errors["scope_org_unit"] = [f"unknown org unit {code!r}"]
    elif unit.kind not in ("city", "district"):
        errors["scope_org_unit"] = ["the city or a district"]
    return unit if unit is not None and unit.kind == "district" else None


def _modes_over(session, scope: OrgUnit | None) -> list[str]:
    """The modes in force now over the scope: the city's and every district's own for the city."""
    if scope is not None:
        return [mode_for_district(session, scope.code).mode]
    city, districts = modes_in_force(session)
    return [city.mode, *(m.mode for m in districts)]


def switch(uow, actor_id: int, mode: str | None, scope_org_unit: str | None, reason: str | None) -> dict:
    """Switch the city (``scope_org_unit`` None) or one district to ``mode``, for new cases from
    now on. 400 for a bad mode, scope or a missing reason; 403 outside the actor's subtree (a
    district's supervisor switches only their district, city level any); 409 when every mode in
    the scope already is ``mode``. Returns the switch with ``notified``, how many staff were told."""
    s, now = uow.session, uow.clock.now()
    user, paths = _overseer(uow, actor_id)
    errors: dict[str, list[str]] = {}
    if mode not in MODES:
        errors["mode"] = [f"one of {', '.join(MODES)}"]
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        errors["reason"] = [f"required, at most {MAX_REASON} characters"]
    scope = _scope(s, scope_org_unit, errors)
    if errors:
        raise InvalidInput("bad command-mode switch", fields=errors)
    if not _may_switch(paths, scope):
        raise Forbidden("this scope lies outside what you oversee")
    if all(m == mode for m in _modes_over(s, scope)):
        raise Conflict(f"{mode} mode is already in force there")
    row = CommandModeSwitch(mode=mode, scope_org_unit_id=scope.id if scope else None, reason=reason,
                            switched_by_id=user.id, switched_at=now)
    s.add(row)
    s.flush()
    staff = staff_in_scope(s, scope, uow.settings.command_centre)
    code, name = (scope.code, scope.name) if scope else (None, None)
    by = user.display_name or user.username
    audit.append(s, now, user, "command_mode.switched", reason=reason,
                 detail={"mode": mode, "scope_org_unit": code, "switch_id": row.id, "notified": len(staff)})
    uow.publish(DomainEvent("command_mode.switched", payload={
        "user_ids": staff, "mode": mode, "scope_name": name, "reason": reason, "switched_by": by}))
    uow.commit()
    uow.cache.forget(CACHE)
    return {"id": row.id, "mode": mode, "scope_org_unit": code, "scope_name": name, "reason": reason,
            "switched_by": by, "switched_at": now, "notified": len(staff)}


def banner(uow, actor_id: int) -> list[dict]:
    """The emergencies in force that concern a staff member (city-wide ones, and districts above
    or within their org units), for every staff page's banner; [] for a citizen. Cached for the
    cache's minute (a switch in this process drops it at once): no query on most pages."""
    emergencies = uow.cache.get_or_load((CACHE, "emergencies"), lambda: _emergencies(uow.session))
    if not emergencies:
        return []
    return uow.cache.get_or_load((CACHE, "banner", actor_id), lambda: _concerning(uow.session, actor_id, emergencies))


def _emergencies(session) -> list[tuple[str | None, dict]]:
    city, districts = modes_in_force(session)
    return [(m.scope_path, _view(m)) for m in (city, *districts) if m.mode == EMERGENCY]


def _concerning(session, actor_id: int, emergencies: list[tuple[str | None, dict]]) -> list[dict]:
    user = session.get(User, actor_id)
    if user is None or not user.active:
        return []
    paths = [h.org_unit.path if h.org_unit else None for h in user.roles if h.role != "citizen"]
    return [view for path, view in emergencies if any(related(p, path) for p in paths)]
