"""Digests: a person who can claim many tasks gets one e-mail (or SMS) listing the new ones
instead of one per task. A candidate's message on those channels is held for the digest window
(``CIVICFLOW_DIGEST_MINUTES``, counted from the first message held for that address); when the
window closes the job sends one held message as it is, or several as one ``task_digest``. The
in-app notification is never held: the inbox is where the work is."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from . import messages
from .models import OutboxMessage

HELD, DIGESTED = "held", "digested"
LISTED = 20  # a digest lists this many tasks by name, then counts the rest


def hold(uow, row: OutboxMessage) -> None:
    """Hold ``row`` for its address's open digest, or open one."""
    minutes = uow.settings.digest_minutes
    if minutes <= 0:
        return
    now = uow.clock.now()
    closes = uow.session.scalar(select(OutboxMessage.next_attempt_at).where(
        OutboxMessage.status == HELD, OutboxMessage.channel == row.channel, OutboxMessage.address == row.address)
        .order_by(OutboxMessage.next_attempt_at).limit(1))
    row.status, row.next_attempt_at = HELD, closes or now + timedelta(minutes=minutes)


def _digest(uow, rows: list[OutboxMessage]) -> OutboxMessage:
    first = rows[0]
    context = {"count": len(rows), "items": [{"subject": r.subject or r.body} for r in rows[:LISTED]],
               "more": max(0, len(rows) - LISTED), "recipient": {"name": ""},
               "inbox_url": f"{uow.settings.public_url}/"}
    text = messages.render("task_digest", first.channel, context, first.lang, uow.settings.sms_signature)
    now = uow.clock.now()
    return OutboxMessage(key=uuid.uuid4().hex, channel=first.channel, message="task_digest", event=first.event,
                         lang=first.lang, user_id=first.user_id, address=first.address, subject=text.subject,
                         body=text.body, html=text.html, created_at=now, next_attempt_at=now, status="pending")


def release_due(container, owner: str) -> int:
    """The scheduler job: close the digests whose window has passed; returns how many messages
    it queued. Rows are locked (skip-locked on PostgreSQL) so that two schedulers never release
    the same ones."""
    with container.uow() as uow:
        s, now = uow.session, uow.clock.now()
        rows = list(s.scalars(select(OutboxMessage).where(
            OutboxMessage.status == HELD, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id).limit(5000).with_for_update(skip_locked=True)))
        groups: dict[tuple[str, str], list[OutboxMessage]] = {}
        for row in rows:
            groups.setdefault((row.channel, row.address), []).append(row)
        for group in groups.values():
            if len(group) == 1:
                group[0].status = "pending"
                continue
            s.add(_digest(uow, group))
            s.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in group]))
                      .values(status=DIGESTED, sent_at=now), execution_options={"synchronize_session": False})
        uow.commit()
        return len(groups)
