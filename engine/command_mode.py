"""平战切换: which mode (normal or emergency) is in force where, and whom a switch concerns.

The rule: the mode in force for a district is the later of the city-wide switch and that
district's own switch ("later" is the order the switches were made in); with neither, normal.
So a city-wide switch applies to every district, overriding their earlier switches, and a
district switched after it keeps its own mode until the city switches again. Only cases
reported in a district (start data ``district``) carry a mode. A switch concerns staff whose org unit is above or within
its scope (a city-wide switch concerns everyone), those holding a role city-wide, and the
command centre's staff."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from .models import CommandModeSwitch, OrgUnit, User, UserRole

NORMAL, EMERGENCY = "normal", "emergency"
STAFF_ROLES = ("operator", "dispatcher", "supervisor", "leader")  # who is told of a switch


@dataclass(frozen=True)
class ModeInForce:
    """One scope's mode: ``scope_code`` None is the whole city; ``switch_id`` None: never switched."""

    mode: str
    scope_code: str | None = None
    scope_name: str | None = None
    scope_path: str | None = None
    reason: str | None = None
    switched_by: str | None = None
    switched_at: datetime | None = None
    switch_id: int | None = None


def _in_force(switch: CommandModeSwitch | None, unit: OrgUnit | None, by: str | None) -> ModeInForce:
    if switch is None:
        return ModeInForce(NORMAL)
    return ModeInForce(switch.mode, unit.code if unit else None, unit.name if unit else None,
                       unit.path if unit else None, switch.reason, by, switch.switched_at, switch.id)


def _switches(condition=None):
    by = func.coalesce(func.nullif(User.display_name, ""), User.username)
    query = (select(CommandModeSwitch, OrgUnit, by)
             .outerjoin(OrgUnit, OrgUnit.id == CommandModeSwitch.scope_org_unit_id)
             .outerjoin(User, User.id == CommandModeSwitch.switched_by_id))
    return query.where(condition) if condition is not None else query


def mode_for_district(session: Session, district_code: str) -> ModeInForce:
    """The mode in force for a case reported in ``district_code``. Read fresh from the database,
    never cached: the very next case after a switch must follow it."""
    scope = or_(CommandModeSwitch.scope_org_unit_id.is_(None), OrgUnit.code == district_code)
    row = session.execute(_switches(scope).order_by(CommandModeSwitch.id.desc()).limit(1)).first()
    return _in_force(*row) if row else ModeInForce(NORMAL)


def modes_in_force(session: Session) -> tuple[ModeInForce, list[ModeInForce]]:
    """The city's mode, and each district whose own switch is later than the city's (the only
    districts whose mode differs from, or was set after, the city-wide one), by code."""
    latest = select(func.max(CommandModeSwitch.id)).group_by(CommandModeSwitch.scope_org_unit_id)
    rows = [_in_force(*row) for row in session.execute(_switches(CommandModeSwitch.id.in_(latest)))]
    city = next((m for m in rows if m.scope_code is None), ModeInForce(NORMAL))
    districts = [m for m in rows if m.scope_code is not None and m.switch_id > (city.switch_id or 0)]
    return city, sorted(districts, key=lambda m: m.scope_code)


def history(session: Session, limit: int = 50) -> list[ModeInForce]:
    """The latest switches, newest first."""
    query = _switches().order_by(CommandModeSwitch.id.desc()).limit(limit)
    return [_in_force(*row) for row in session.execute(query)]


def related(path: str | None, other: str | None) -> bool:
    """Whether two org-tree paths lie on one line (one contains the other); None is the city."""
    return path is None or other is None or path.startswith(other) or other.startswith(path)


def staff_in_scope(session: Session, scope: OrgUnit | None, command_centre: str) -> list[int]:
    """Ids of the active operators, dispatchers, supervisors and leaders a switch of ``scope``
    (None: the city) concerns, each once."""
    query = (select(UserRole.user_id).join(User, User.id == UserRole.user_id)
             .outerjoin(OrgUnit, OrgUnit.id == UserRole.org_unit_id)
             .where(User.active.is_(True), UserRole.role.in_(STAFF_ROLES)))
    if scope is not None:
        query = query.where(or_(UserRole.org_unit_id.is_(None), OrgUnit.path.startswith(scope.path),
                                literal(scope.path).startswith(OrgUnit.path), OrgUnit.code == command_centre))
    return sorted(set(session.scalars(query)))


def start_data(session: Session, district_code: str | None, command_centre: str) -> dict:
    """What a new case reported in a district carries from the mode in force there:
    ``command_mode`` and ``command_centre``, and in emergency ``urgency: "urgent"`` too, so the
    intake steps get the urgent time limits; nothing for a case with no district. A case keeps
    these for life: a later switch changes new cases only."""
    if not district_code:
        return {}
    mode = mode_for_district(session, district_code).mode
    stamp = {"command_mode": mode, "command_centre": command_centre}
    return stamp | ({"urgency": "urgent"} if mode == EMERGENCY else {})
