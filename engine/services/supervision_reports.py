"""The supervision reports (日报/周报/月报) for leaders, supervisors and admins, each of their own
part of the city, and a leader's or supervisor's subscription to the monthly one by e-mail."""
from __future__ import annotations

from .. import audit
from ..permissions import OVERSEER_ROLES, oversight_paths
from ..supervision_reports import (KINDS, SUBSCRIBER_ROLES, build_report, last_complete, parse_period,
                                   tz_of)
from .common import load_actor, require_role

RECENT = {"daily": 7, "weekly": 6, "monthly": 12}  # the periods the report index offers


def _overseer(uow, actor_id: int):
    user = load_actor(uow.session, actor_id)
    require_role(user, *OVERSEER_ROLES)
    return user


def _subscription(user) -> dict:
    return {"may_subscribe": user.has_role(*SUBSCRIBER_ROLES), "subscribed": bool(user.monthly_report),
            "email": user.email or ""}


def report_index(uow, actor_id: int) -> dict:
    """The periods to choose from, newest first (the first of each kind is the last complete
    one, the default), and the reader's subscription ``{may_subscribe, subscribed, email}``."""
    user = _overseer(uow, actor_id)
    now, tz = uow.clock.now(), tz_of(uow)
    recent = {}
    for kind in KINDS:
        period, keys = last_complete(kind, now, tz), []
        for _ in range(RECENT[kind]):
            keys.append(period.key)
            period = period.shifted(-1, tz)
        recent[kind] = keys
    return {"recent": recent, "subscription": _subscription(user)}


def supervision_report(uow, actor_id: int, kind: str, key: str) -> dict:
    """Report ``kind`` (daily, weekly, monthly) for period ``key`` of the reader's part of the
    city (build_report), with ``previous`` and ``next`` period keys (``next`` None when it has
    not begun) and the reader's ``subscription``. An unknown kind is NotFound; a malformed or
    future period InvalidInput naming ``period``; anyone but an overseer Forbidden."""
    user = _overseer(uow, actor_id)
    now, tz = uow.clock.now(), tz_of(uow)
    period = parse_period(kind, key, now, tz)
    following = period.shifted(1, tz)
    return build_report(uow, period, oversight_paths(uow.session, user)) | {
        "previous": period.shifted(-1, tz).key, "next": following.key if following.start_at <= now else None,
        "subscription": _subscription(user)}


def set_monthly_report(uow, actor_id: int, subscribed: bool) -> dict:
    """Subscribe to (or leave) the monthly report by e-mail; only leaders and supervisors may.
    One audit row ``report.subscription``."""
    user = load_actor(uow.session, actor_id)
    require_role(user, *SUBSCRIBER_ROLES)
    if bool(user.monthly_report) != subscribed:
        user.monthly_report = subscribed
        audit.append(uow.session, uow.clock.now(), user, "report.subscription", detail={"monthly_report": subscribed})
        uow.commit()
    return _subscription(user)
