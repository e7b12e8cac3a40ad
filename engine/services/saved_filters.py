"""Saved inbox filters (常用筛选): each user names the current filter and picks it again later.
A user sees and changes only their own; saving under an existing name replaces that filter."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from ..errors import InvalidInput, NotFound
from ..models.saved_filters import SavedFilter
from .common import load_actor
from .inbox import clean_filter
from .tasks import SCOPES

MAX_PER_USER = 50
MAX_NAME = 80


def _view(f: SavedFilter) -> dict:
    return {"id": f.id, "name": f.name, "query": f.query, "created_at": f.created_at}


def list_saved_filters(uow, actor_id: int) -> list[dict]:
    """The user's saved filters by name."""
    user = load_actor(uow.session, actor_id)
    return [_view(f) for f in uow.session.scalars(
        select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name, SavedFilter.id))]


def save_filter(uow, actor_id: int, name: str | None, query: Mapping | None) -> dict:
    """Store ``query`` (the inbox's filter and sort arguments, checked as ``list_tasks`` checks
    them) under ``name``; an existing filter of that name is replaced."""
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput("bad filter name", fields={"name": [f"required, at most {MAX_NAME} characters"]})
    if not isinstance(query, Mapping):
        raise InvalidInput("bad inbox filter", fields={"query": ["an object of filter arguments"]})
    clean = clean_filter(query, SCOPES)
    found = s.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name))
    if found is None:
        count = s.scalar(select(func.count()).select_from(SavedFilter).where(SavedFilter.user_id == user.id))
        if count >= MAX_PER_USER:
            raise InvalidInput("too many saved filters",
                               fields={"name": [f"at most {MAX_PER_USER} saved filters; delete one first"]})
        found = SavedFilter(user_id=user.id, name=name, created_at=now)
        s.add(found)
    found.query = clean
    uow.commit()
    return _view(found)


def delete_saved_filter(uow, actor_id: int, filter_id: int) -> None:
    """Delete one of the user's filters; someone else's or a missing one is NotFound (no leak)."""
    s = uow.session
    user = load_actor(s, actor_id)
    found = s.scalar(select(SavedFilter).where(SavedFilter.id == filter_id, SavedFilter.user_id == user.id))
    if found is None:
        raise NotFound(f"no saved filter {filter_id}")
    s.delete(found)
    uow.commit()
