"""Appending to and verifying the hash-chained audit trail.

Each row's hash covers its own fields and the previous row's hash in its chain; each chain's
``audit_head`` row holds its tip. Editing a row breaks its hash, deleting one breaks the next
row's link, and deleting a chain's tail no longer matches its head.

There are CHAINS chains, a case's rows all in one (by case id; rows of no case in chain 1): a
write locks its chain's head until commit, and with one chain every state change in the city
queued behind every other. A case's history stays one ordered chain of its own rows.

An append is held on the session and written when it commits, the transaction's rows at once:
one head read and one head update per chain and one INSERT for all rows, however many rows a
completion writes (its step, the decision tables it ran, the case's end), and the head is locked
only for the commit's last moment. Code that reads audit rows back inside the transaction that
wrote them calls :func:`write_pending` first.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from .models import AuditEvent, AuditHead, User

GENESIS = "0" * 64
CHAINS = 16  # the heads migration 0018 made; more would need their head rows first
_PENDING = "civicflow.audit_pending"  # the session.info key of the rows not yet written
# Built once: this runs on every state change.
_LOCK_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == bindparam("chain")).with_for_update()
_INSERT_EVENT = insert(AuditEvent)
_MOVE_HEAD = (update(AuditHead).where(AuditHead.id == bindparam("chain"))
              .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")))


def chain_of(case_id: int | None) -> int:
    """The chain a row goes to: its case's (1..CHAINS), or 1 for rows of no case."""
    return 1 if case_id is None else 1 + case_id % CHAINS


def _digest(seq: int, prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
            task_id: int | None, detail: dict, reason: str | None) -> str:
    body = json.dumps([seq, prev_hash, at.isoformat(timespec="microseconds"), actor, action,
                       case_id, task_id, detail, reason],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append(session: Session, at: datetime, actor: User | None, action: str, *,
           case_id: int | None = None, task_id: int | None = None, detail: dict | None = None,
           reason: str | None = None, actor_name: str | None = None) -> None:
    """Add one audit row to the caller's transaction; it is written when the transaction commits."""
    session.info.setdefault(_PENDING, []).append({
        "chain": chain_of(case_id), "at": at, "actor_id": actor.id if actor else None,
        "actor": actor.username if actor is not None else (actor_name or "system"), "action": action,
        "case_id": case_id, "task_id": task_id, "detail": json.loads(json.dumps(detail or {}, default=str)),
        "reason": reason})


def write_pending(session: Session) -> None:
    """Write the rows appended in this transaction: each chain's head locked in chain order (two
    transactions writing the same two chains then queue instead of deadlocking), the rows linked
    in the order appended, one INSERT for all. Core statements, not the ORM: this runs on every
    state change."""
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    session.flush()  # rows these events refer to exist first; then plain Core on the connection
    conn = session.connection()
    for chain in sorted({row["chain"] for row in rows}):
        seq, prev_hash = conn.execute(_LOCK_HEAD, {"chain": chain}).one()
        for row in (r for r in rows if r["chain"] == chain):
            seq += 1
            row.update(seq=seq, prev_hash=prev_hash, hash=_digest(
                seq, prev_hash, row["at"], row["actor"], row["action"], row["case_id"], row["task_id"],
                row["detail"], row["reason"]))
            prev_hash = row["hash"]
        conn.execute(_MOVE_HEAD, {"chain": chain, "new_seq": seq, "new_hash": prev_hash})
    conn.execute(_INSERT_EVENT, rows)


@event.listens_for(Session, "before_commit")
def _write_on_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    bad_id: int | None = None
    problem: str = ""
    bad_chain: int | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk every chain in order; report the first row (the earliest written) whose hash or
    link does not hold, or a chain that ends before its head."""
    checked, broken = 0, []
    for head in session.scalars(select(AuditHead).order_by(AuditHead.id)).all():
        count, problem = _verify_chain(session, head, batch)
        checked += count
        if problem is not None:
            broken.append(problem)
    if not broken:
        return VerifyResult(True, checked)
    first = min(broken, key=lambda r: (r.bad_id is None, r.bad_id or 0, r.bad_chain))
    return VerifyResult(False, checked, first.bad_seq, first.bad_id, first.problem, first.bad_chain)


def _verify_chain(session: Session, head: AuditHead, batch: int) -> tuple[int, VerifyResult | None]:
    """(rows checked, the chain's first fault or None)."""
    chain, tip_seq, tip_hash = head.id, head.seq, head.hash
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    while True:
        rows = session.execute(select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq >= expected_seq)
                               .order_by(AuditEvent.seq).limit(batch)).scalars().all()
        for row in rows:
            if row.seq != expected_seq:
                return checked, VerifyResult(False, checked, row.seq, row.id, f"expected seq "
                                             f"{expected_seq}, found {row.seq} (a row is missing)", chain)
            if row.prev_hash != prev_hash:
                return checked, VerifyResult(False, checked, row.seq, row.id,
                                             "link to the previous row broken", chain)
            actual = _digest(row.seq, row.prev_hash, row.at, row.actor, row.action, row.case_id,
                             row.task_id, row.detail, row.reason)
            if actual != row.hash:
                return checked, VerifyResult(False, checked, row.seq, row.id,
                                             "row content does not match its hash", chain)
            prev_hash, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
        session.expunge_all()
        if len(rows) < batch:
            break
    if tip_seq != checked or tip_hash != prev_hash:
        return checked, VerifyResult(False, checked, checked + 1, None, "the chain ends before its recorded head"
                                     " (rows deleted at the end)", chain)
    return checked, None
