"""What admins see of the outbox: messages by status (the dead letters above all), and a retry
that puts a dead letter back in the queue after the cause (an address, the gateway) is fixed."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import Case
from engine.services.common import admin_or_server

from .models import OutboxMessage

STATUSES = ("pending", "held", "sent", "digested", "dead")


def _view(m: OutboxMessage, case_number: str | None = None) -> dict:
    return {"id": m.id, "key": m.key, "channel": m.channel, "message": m.message, "event": m.event,
            "case_id": m.case_id, "case_number": case_number, "user_id": m.user_id, "address": m.address,
            "subject": m.subject, "body": m.body, "status": m.status, "attempts": m.attempts,
            "next_attempt_at": m.next_attempt_at, "last_error": m.last_error, "created_at": m.created_at,
            "sent_at": m.sent_at}


def list_outbox(uow, actor_id: int | None, status: str = "dead", limit: int = 100) -> dict:
    admin_or_server(uow, actor_id)
    if status not in STATUSES:
        raise InvalidInput("bad status", fields={"status": [f"one of {', '.join(STATUSES)}"]})
    s = uow.session
    counts = dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    rows = s.execute(select(OutboxMessage, Case.number).outerjoin(Case, Case.id == OutboxMessage.case_id)
                     .where(OutboxMessage.status == status)
                     .order_by(OutboxMessage.id.desc()).limit(max(1, min(limit, 500)))).all()
    return {"items": [_view(m, number) for m, number in rows], "counts": {k: counts.get(k, 0) for k in STATUSES}}


def retry(uow, actor_id: int | None, message_id: int) -> dict:
    """Queue a dead letter again, with a fresh count of attempts and the same key."""
    admin_or_server(uow, actor_id)
    row = uow.session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(f"no outbox message {message_id}")
    if row.status != "dead":
        raise Conflict(f"outbox message {message_id} is {row.status}, not dead")
    row.status, row.attempts, row.next_attempt_at = "pending", 0, uow.clock.now()
    row.lease_owner = row.lease_expires_at = None
    uow.commit()
    return _view(row)
