"""The outbox delivery job. Each scheduler process leases a batch of due rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, see engine/leases.py), sends each, and records the channels' answers in
small groups of short transactions. A failure is retried with exponential backoff and becomes a
dead letter after ``outbox_max_attempts``. A process killed between sending and recording leaves
its rows leased; when the lease runs out another process sends them again with the same keys,
which an idempotent gateway recognises (only a channel that ignores the key can then receive a
message twice: SMTP's Message-ID lets the receiving side tell)."""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import bindparam, select, update

from engine.leases import claim

from .channels import DeliveryFailed, close_channels, open_channels
from .models import OutboxMessage

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
BATCH = 200
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=2)
MARK_EVERY = 25
MARK_S = 0.25
BUDGET_S = 20  # one job run drains for at most this long, then lets the next run start


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling up to two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def _mark(container, owner: str, outcomes: list[tuple[int, dict]]) -> None:
    """Record what the channels said for several rows in one commit and one executemany per
    kind of outcome (a commit costs more than a send: per-row commits capped a scheduler at a
    few dozen messages a second)."""
    if not outcomes:
        return
    table, groups = OutboxMessage.__table__, {}
    for row_id, values in outcomes:
        groups.setdefault(tuple(sorted(values)), []).append({"row_id": row_id} | {f"v_{k}": v for k, v in values.items()})
    with container.uow() as uow:
        for names, params in groups.items():
            uow.session.execute(update(table).where(
                table.c.id == bindparam("row_id"), table.c.lease_owner == owner, table.c.status == "pending")
                .values(lease_owner=None, lease_expires_at=None, **{n: bindparam(f"v_{n}") for n in names}), params)
        uow.commit()
    outcomes.clear()


def _failure(container, row: OutboxMessage, exc: DeliveryFailed) -> dict:
    dead = exc.permanent or row.attempts >= container.settings.outbox_max_attempts
    log.warning("outbox %s (%s) attempt %d failed%s: %s", row.id, row.channel, row.attempts,
                " (dead letter)" if dead else "", exc.message)
    return {"last_error": exc.message[:2000], "status": "dead" if dead else "pending",
            "next_attempt_at": container.clock.now() + backoff(row.attempts)}


def deliver_batch(container, owner: str, limit: int = BATCH) -> int:
    """Lease and send up to ``limit`` due messages; returns how many were leased. Outcomes are
    recorded every ``MARK_EVERY`` messages or ``MARK_S`` seconds: a crash re-sends at most those,
    with the same keys."""
    now = container.clock.now()
    ids = claim(container, OutboxMessage, [OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now],
                OutboxMessage.next_attempt_at, owner, limit, LEASE)
    if not ids:
        return 0
    with container.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                        .order_by(OutboxMessage.id)))
        uow.session.expunge_all()
    channels, outcomes, marked = open_channels(container.settings), [], time.monotonic()
    try:
        for row in rows:
            channel = channels.get(row.channel)
            try:
                if channel is None:
                    raise DeliveryFailed(f"no {row.channel} channel is configured")
                ref = channel.send(row)
            except DeliveryFailed as exc:
                outcomes.append((row.id, _failure(container, row, exc)))
            else:
                outcomes.append((row.id, {"status": "sent", "sent_at": container.clock.now(), "provider_ref": ref,
                                          "last_error": None}))
            if len(outcomes) >= MARK_EVERY or time.monotonic() - marked > MARK_S:
                _mark(container, owner, outcomes)
                marked = time.monotonic()
    finally:
        close_channels(channels)
        _mark(container, owner, outcomes)
    return len(ids)


def deliver_due(container, owner: str) -> int:
    """The scheduler job: batches until nothing is due or the time budget is spent."""
    started, total = time.monotonic(), 0
    while time.monotonic() - started < BUDGET_S:
        leased = deliver_batch(container, owner)
        total += leased
        if leased < BATCH:
            break
    if total:
        log.info("outbox: %d messages handled", total)
    return total
