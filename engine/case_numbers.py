"""Human-readable, unique case numbers: the day in Asia/Shanghai plus a six-digit sequence."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import CaseCounter


def next_case_number(session: Session, at: datetime, tz: str = "Asia/Shanghai") -> str:
    """``20261122000123``: one atomic upsert, so concurrent starts never share a number."""
    day = at.astimezone(ZoneInfo(tz)).strftime("%Y%m%d")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(CaseCounter).values(day=day, last=1).on_conflict_do_update(
        index_elements=[CaseCounter.day], set_={"last": CaseCounter.last + 1}).returning(CaseCounter.last)
    seq = session.execute(stmt).scalar_one()
    return f"{day}{seq:06d}"
