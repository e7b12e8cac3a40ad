"""Signing in, with limits kept in the database (shared by every worker), the web sessions
behind the pages' cookies, and the profile a page header shows."""
from __future__ import annotations

import secrets
from functools import lru_cache

from sqlalchemy import delete, select

from .. import sign_in_limits as limits
from ..errors import RateLimited, Unauthenticated
from ..models import LoginFailure, Role, User, WebSession
from ..passwords import check_password, hash_password


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(uow, username: str, password: str, remote_addr: str = "") -> dict:
    """The user's id, name and roles, or Unauthenticated; RateLimited while a limit of
    engine/sign_in_limits.py holds for this account, this address or the pair. The attempt is
    written as a failure and committed before the password is checked, so that parallel
    guesses count each other; a refused attempt is taken back, a right password clears the
    pair's failures and makes the address one of the account's usual ones."""
    s, now = uow.session, uow.clock.now()
    username, remote_addr = username[:64], remote_addr[:64]
    attempt = LoginFailure(username=username, remote_addr=remote_addr, at=now)
    s.add(attempt)
    uow.commit()
    if limits.refusal(s, attempt.id, username, remote_addr, now):
        s.execute(delete(LoginFailure).where(LoginFailure.id == attempt.id))
        uow.commit()
        raise RateLimited("too many failed sign-ins; try again later")
    user = s.scalar(select(User).where(User.username == username))
    # Hash even for an unknown name, so the answer's timing does not tell which names exist.
    stored = user.password_hash if user is not None else _dummy_hash()
    if not check_password(stored, password) or user is None or not user.active:
        raise Unauthenticated("wrong username or password")
    s.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.remote_addr == remote_addr))
    limits.remember_address(s, user.id, remote_addr, now)
    uow.commit()
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "roles": user.role_names()}


def open_session(uow, user_id: int, remote_addr: str = "") -> str:
    """A new web session's id for the signed cookie; the row is what makes the cookie valid."""
    sid = secrets.token_urlsafe(32)
    uow.session.add(WebSession(id=sid, user_id=user_id, remote_addr=remote_addr[:64], created_at=uow.clock.now()))
    uow.commit()
    return sid


def session_valid(uow, sid: str | None, user_id: int) -> bool:
    """Whether a cookie's session is still open and its user active: signing out or disabling
    the user ends every copy of the cookie, not only the one in the browser that signed out."""
    if not sid:
        return False
    row = uow.session.get(WebSession, sid)
    if row is None or row.ended_at is not None or row.user_id != user_id:
        return False
    user = uow.session.get(User, user_id)
    return user is not None and user.active


def end_session(uow, sid: str | None) -> None:
    row = uow.session.get(WebSession, sid) if sid else None
    if row is not None and row.ended_at is None:
        row.ended_at = uow.clock.now()
        uow.commit()


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
