"""Appending to and verifying the hash-chained audit trail.

Each row's hash covers its own fields and the previous row's hash; the single ``audit_head``
row holds the tip. Editing a row breaks its hash, deleting one breaks the next row's link,
and deleting the tail no longer matches the head.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .models import AuditEvent, AuditHead, User

GENESIS = "0" * 64
# Built once: this runs on every state change.
_LOCK_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_INSERT_EVENT = insert(AuditEvent)
_MOVE_HEAD = update(AuditHead).where(AuditHead.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))


def _digest(seq: int, prev_hash: str, at: datetime, actor: str, action: str, case_id: int | None,
            task_id: int | None, detail: dict, reason: str | None) -> str:
    body = json.dumps([seq, prev_hash, at.isoformat(timespec="microseconds"), actor, action,
                       case_id, task_id, detail, reason],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append(session: Session, at: datetime, actor: User | None, action: str, *,
           case_id: int | None = None, task_id: int | None = None, detail: dict | None = None,
           reason: str | None = None, actor_name: str | None = None) -> int:
    """Add one audit row in the caller's transaction, locking the chain's head until commit.
    Core statements, not the ORM: this runs on every state change. Returns the row's seq."""
    detail = json.loads(json.dumps(detail or {}, default=str))
    session.flush()  # rows this event refers to exist first; then plain Core on the connection
    conn = session.connection()
    seq, prev_hash = conn.execute(_LOCK_HEAD).one()
    name = actor.username if actor is not None else (actor_name or "system")
    seq += 1
    digest = _digest(seq, prev_hash, at, name, action, case_id, task_id, detail, reason)
    conn.execute(_INSERT_EVENT, {
        "seq": seq, "at": at, "actor_id": actor.id if actor else None, "actor": name, "action": action,
        "case_id": case_id, "task_id": task_id, "detail": detail, "reason": reason, "prev_hash": prev_hash,
        "hash": digest})
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": digest})
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    bad_id: int | None = None
    problem: str = ""


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose hash or link does not hold."""
    prev_hash, expected_seq, checked, last_id = GENESIS, 1, 0, 0
    while True:
        rows = session.execute(select(AuditEvent).where(AuditEvent.id > last_id)
                               .order_by(AuditEvent.id).limit(batch)).scalars().all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, checked, row.seq, row.id,
                                    f"expected seq {expected_seq}, found {row.seq} (a row is missing)")
            if row.prev_hash != prev_hash:
                return VerifyResult(False, checked, row.seq, row.id, "link to the previous row broken")
            actual = _digest(row.seq, row.prev_hash, row.at, row.actor, row.action, row.case_id,
                             row.task_id, row.detail, row.reason)
            if actual != row.hash:
                return VerifyResult(False, checked, row.seq, row.id, "row content does not match its hash")
            prev_hash, expected_seq, checked, last_id = row.hash, expected_seq + 1, checked + 1, row.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None or head.seq != checked or head.hash != prev_hash:
        return VerifyResult(False, checked, checked + 1, None,
                            "the chain ends before its recorded head (rows deleted at the end)")
    return VerifyResult(True, checked)
