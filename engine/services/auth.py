"""Signing in, with a failed-attempt limit kept in the database (shared by every worker)."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select

from ..errors import RateLimited, Unauthenticated
from ..models import LoginFailure, User
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
