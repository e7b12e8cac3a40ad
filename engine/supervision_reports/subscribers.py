"""Who receives the monthly report by e-mail (User.monthly_report): active leaders and
supervisors with an address, grouped by the part of the city they oversee, so that each group
gets one report of exactly the part its pages show them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import User, UserRole
from ..permissions import oversight_paths

SUBSCRIBER_ROLES = ("leader", "supervisor")


def monthly_subscribers(s: Session) -> dict[tuple[str, ...] | None, list[User]]:
    """Subscribers by their oversight paths (None: the whole city), each list by user id."""
    users = s.scalars(select(User).options(selectinload(User.roles)).where(
        User.active.is_(True), User.monthly_report.is_(True), User.email.is_not(None), User.email != "",
        User.roles.any(UserRole.role.in_(SUBSCRIBER_ROLES))).order_by(User.id))
    groups: dict[tuple[str, ...] | None, list[User]] = {}
    for user in users:
        paths = oversight_paths(s, user)
        groups.setdefault(None if paths is None else tuple(sorted(paths)), []).append(user)
    return groups
