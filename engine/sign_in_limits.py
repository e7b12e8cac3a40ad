"""The sign-in limits, per address and per account, with backoff (docs in README "Sign-in").

- **The pair** (this account from this address): after PAIR_FREE failures within BACKOFF_SPAN,
  each further try waits PAIR_WAIT × 2^(failures − PAIR_FREE) after the last failure (15 min,
  30 min, 1 h, … at most MAX_WAIT). Guessing one account from one place slows down fast.
- **The address** (any account from this address): ADDRESS_LIMIT failures within WINDOW shut
  the address out until they age, for every account that never signed in from it: spraying
  many names from one place is stopped, while the people who work behind that address (one
  office's NAT) still sign in.
- **The account** (from any address): ACCOUNT_LIMIT failures within WINDOW shut out every
  address except the account's usual ones (where it signed in before), so a guesser elsewhere
  cannot lock the owner out.

The caller records the attempt as a failure BEFORE checking the password and counts with it in
the table (``own_id``): parallel guesses then see each other, and no more than the limit are
ever checked, on PostgreSQL as on SQLite."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import LoginFailure, SignInAddress, User

WINDOW = timedelta(minutes=15)
PAIR_FREE = 5
PAIR_WAIT = timedelta(minutes=15)
BACKOFF_SPAN = timedelta(hours=24)
MAX_WAIT = timedelta(hours=24)
ADDRESS_LIMIT = 20
ACCOUNT_LIMIT = 10


def _failures(session: Session, own_id: int, since: datetime, **match) -> tuple[int, datetime | None]:
    """How many other failures match, and the latest of them."""
    query = select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.id != own_id, LoginFailure.at > since)
    for column, value in match.items():
        query = query.where(getattr(LoginFailure, column) == value)
    count, latest = session.execute(query).one()
    return count, latest


def pair_wait(failures: int) -> timedelta:
    return min(PAIR_WAIT * 2 ** (failures - PAIR_FREE), MAX_WAIT)


def refusal(session: Session, own_id: int, username: str, remote_addr: str, now: datetime) -> str | None:
    """Why this attempt may not be checked (``pair``, ``address``, ``account``), or None."""
    count, latest = _failures(session, own_id, now - BACKOFF_SPAN, username=username, remote_addr=remote_addr)
    if count >= PAIR_FREE and latest is not None and now - latest < pair_wait(count):
        return "pair"
    by_address = _failures(session, own_id, now - WINDOW, remote_addr=remote_addr)[0] >= ADDRESS_LIMIT
    by_account = _failures(session, own_id, now - WINDOW, username=username)[0] >= ACCOUNT_LIMIT
    if (by_address or by_account) and not usual_address(session, username, remote_addr):
        return "address" if by_address else "account"
    return None


def usual_address(session: Session, username: str, remote_addr: str) -> bool:
    return session.scalar(select(SignInAddress.id).join(User, User.id == SignInAddress.user_id).where(
        User.username == username, SignInAddress.remote_addr == remote_addr).limit(1)) is not None


def remember_address(session: Session, user_id: int, remote_addr: str, now: datetime) -> None:
    known = session.scalar(select(SignInAddress).where(SignInAddress.user_id == user_id,
                                                       SignInAddress.remote_addr == remote_addr))
    if known is None:
        session.add(SignInAddress(user_id=user_id, remote_addr=remote_addr, last_at=now))
    else:
        known.last_at = now
