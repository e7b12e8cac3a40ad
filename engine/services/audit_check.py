"""The audit-trail check for admins' pages: the same verification as ``civicflow audit verify``."""
from __future__ import annotations

from dataclasses import asdict

from .. import audit
from .common import load_actor, require_role


def verify_audit(uow, actor_id: int) -> dict:
    """``{ok, checked, bad_seq, bad_id, bad_chain, problem}``: ok, or the first row whose hash or link fails."""
    require_role(load_actor(uow.session, actor_id), "admin")
    return asdict(audit.verify(uow.session))
