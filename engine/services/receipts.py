"""The receipt a citizen sees right after reporting (受理回执 on screen): the case's public
status with the number and query code that open the public status page."""
from __future__ import annotations

from sqlalchemy import select

from ..case_public import public_status
from ..errors import NotFound
from ..models import Case
from .common import load_actor

MAX_NUMBER = 20


def report_receipt(uow, actor_id: int, number: str) -> dict:
    """``public_status`` plus ``id`` and ``query_code`` of the case numbered ``number`` that the
    actor reported; NotFound alike for an unknown number and someone else's case."""
    s = uow.session
    user = load_actor(s, actor_id)
    case = s.scalar(select(Case).where(Case.number == number[:MAX_NUMBER], Case.requester_id == user.id))
    if case is None:
        raise NotFound(f"no case {number[:MAX_NUMBER]!r} of yours")
    return public_status(s, case) | {"id": case.id, "query_code": case.query_code}
