"""Leases on due rows (timers, timer starts): any number of scheduler processes sweep at once,
and each due row is handed to one of them (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
serializes writers). A lease that expires unfinished lets another process take the row."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update


def claim(container, model, due: list, order, owner: str, limit: int, lease: timedelta) -> list[int]:
    """Lease up to ``limit`` rows of ``model`` matching ``due`` (oldest ``order`` first) to
    ``owner``, counting an attempt on each. One transaction; returns the ids."""
    with container.uow() as uow:
        s, now = uow.session, uow.clock.now()
        ids = s.scalars(select(model.id).where(
            *due, or_(model.lease_expires_at.is_(None), model.lease_expires_at < now))
            .order_by(order).limit(limit).with_for_update(skip_locked=True)).all()
        if ids:
            s.execute(update(model).where(model.id.in_(ids)).values(
                lease_owner=owner, lease_expires_at=now + lease, attempts=model.attempts + 1))
        uow.commit()
        return list(ids)
