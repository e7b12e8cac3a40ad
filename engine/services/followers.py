"""关注: a citizen follows an open report someone else made (seen nearby before reporting the
same problem again). The case then shows among their cases, through its public status only."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..errors import NotFound
from ..models import Case, CaseFollower
from .catalogue import EVENT_LOOP_KEY
from .common import load_actor, require_role


def follow_case(uow, actor_id: int, case_id: int) -> dict:
    """Record the citizen as a follower of the open report: ``{id, number, following}``. Following
    twice, or one's own report, changes nothing; a closed or unknown case, or one of another
    process (an application's title names its applicant), is NotFound."""
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    require_role(user, "citizen")
    case = s.get(Case, case_id)
    if case is None or case.process_key != EVENT_LOOP_KEY or case.status not in ("running", "suspended"):
        raise NotFound(f"no open case {case_id}")
    known = s.scalar(select(CaseFollower).where(CaseFollower.case_id == case.id, CaseFollower.user_id == user.id))
    if known is None and case.requester_id != user.id:
        s.add(CaseFollower(case_id=case.id, user_id=user.id, created_at=now))
        audit.append(s, now, user, "case.followed", case_id=case.id)
        uow.commit()
    return {"id": case.id, "number": case.number, "following": True}
