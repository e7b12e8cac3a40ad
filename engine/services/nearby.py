"""Reports already open near a point, shown to a citizen before they submit (随手拍): the same
rule the operator's duplicate check uses (the diagram's ``duplicate_check``), so that they can
follow the case someone else reported instead of reporting it again. Only public fields."""
from __future__ import annotations

from sqlalchemy import select

from ..bpmn.loader import load_definition
from ..bpmn.specs import human_config
from ..case_public import public_status
from ..duplicates import open_cases_near, parse_rule
from ..errors import InvalidInput
from ..models import CaseFollower
from .catalogue import EVENT_LOOP_KEY
from .common import load_actor
from .definitions import latest_definition


def duplicate_rule(uow, process_key: str = EVENT_LOOP_KEY) -> str | None:
    """The ``duplicate_check`` property of the process's first human step that has one
    (``"category,500m,72h"``), or None when the deployed diagram asks for no duplicate check."""
    spec = load_definition(latest_definition(uow.session, process_key)).spec
    rules = (human_config(ts).properties.get("duplicate_check") for ts in spec.task_specs.values()
             if human_config(ts) is not None)
    return next((r for r in rules if r), None)


def _point(lat: object, lng: object) -> tuple[float, float]:
    problems = {}
    for name, value, limit in (("lat", lat, 90), ("lng", lng, 180)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -limit <= value <= limit:
            problems[name] = [f"a number from -{limit} to {limit}"]
    if problems:
        raise InvalidInput("a point needs a latitude and a longitude", fields=problems)
    return float(lat), float(lng)


def nearby_reports(uow, actor_id: int, lat: float, lng: float, category: str | None) -> dict:
    """``{distance_m, window_h, cases}``: the open reports of the event closed loop within the
    rule's distance of the point, opened within its window (of ``category`` when the rule
    compares categories and one is given), nearest first. Each case is ``{id, number, title,
    category, created_at, distance_m, status, current_step, mine, following}`` — never a name,
    a phone number, a description or a photo. No rule in the diagram: no cases."""
    s = uow.session
    user = load_actor(s, actor_id)
    lat, lng = _point(lat, lng)
    rule = duplicate_rule(uow)
    if rule is None:
        return {"distance_m": 0, "window_h": 0, "cases": []}
    _, metres, window = parse_rule(rule)
    near = [(c, d) for c, d in open_cases_near(s, lat, lng, uow.clock.now(), rule, (category or "")[:64] or None)
            if c.process_key == EVENT_LOOP_KEY]
    followed = set(s.scalars(select(CaseFollower.case_id).where(
        CaseFollower.user_id == user.id, CaseFollower.case_id.in_([c.id for c, _ in near])))) if near else set()
    cases = []
    for case, metres_away in near:
        public = public_status(s, case)
        cases.append({"id": case.id, "number": case.number, "title": public["title"], "category": case.category,
                      "created_at": case.created_at, "distance_m": metres_away, "status": public["status"],
                      "current_step": public["current_step"], "mine": case.requester_id == user.id,
                      "following": case.id in followed})
    return {"distance_m": round(metres), "window_h": round(window.total_seconds() / 3600), "cases": cases}
