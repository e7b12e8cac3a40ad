"""Signing in, with a failed-attempt limit kept in the database (shared by every worker), and
the profile a page header shows."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select

from ..errors import RateLimited, Unauthenticated
from ..models import LoginFailure, Role, User
from ..passwords import check_password, hash_password

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(uow, username: str, password: str, remote_addr: str = "") -> dict:
    """The user's id, name and roles, or Unauthenticated; after MAX_FAILURES failures for a
    username within WINDOW every further try is RateLimited until the window passes."""
    s, now = uow.session, uow.clock.now()
    recent = s.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username, LoginFailure.at > now - WINDOW))
    if recent >= MAX_FAILURES:
        raise RateLimited("too many failed sign-ins; try again later")
    user = s.scalar(select(User).where(User.username == username))
    # Hash even for an unknown name, so the answer's timing does not tell which names exist.
    stored = user.password_hash if user is not None else _dummy_hash()
    if not check_password(stored, password) or user is None or not user.active:
        s.add(LoginFailure(username=username[:64], remote_addr=remote_addr[:64], at=now))
        uow.commit()
        raise Unauthenticated("wrong username or password")
    s.execute(delete(LoginFailure).where(LoginFailure.username == username))
    uow.commit()
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "roles": user.role_names()}


def profile(uow, user_id: int) -> dict:
    """``{username, display_name, roles: [{role, label_zh, label_en, org_unit_code, org_unit_name}]}``
    for a page header: role labels and org unit names, never codes alone. ``org_unit_*`` are None
    for a role held everywhere. Raises Unauthenticated for an unknown or deactivated user."""
    user = uow.session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    labels = {r.name: r for r in uow.session.scalars(select(Role).where(Role.name.in_(user.role_names())))}
    roles = sorted(({"role": r.role, "label_zh": labels[r.role].label_zh, "label_en": labels[r.role].label_en,
                     "org_unit_code": r.org_unit.code if r.org_unit else None,
                     "org_unit_name": r.org_unit.name if r.org_unit else None} for r in user.roles),
                   key=lambda r: (r["role"], r["org_unit_code"] or ""))
    return {"username": user.username, "display_name": user.display_name or user.username, "roles": roles,
            "large_text": user.large_text}


def set_large_text(uow, user_id: int, on: bool) -> bool:
    """Remember the user's large-text, high-contrast mode (适老化) across devices and sign-ins."""
    user = uow.session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthenticated("unknown or deactivated user")
    user.large_text = bool(on)
    uow.commit()
    return user.large_text


def require_active(uow, user_id: int) -> int:
    """The id of a token's user while that user exists and is active: disabling a user ends
    their tokens at once, not when they expire."""
    user = uow.session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthenticated("unknown or inactive user")
    return user_id
