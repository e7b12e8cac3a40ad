"""Duplicate reports (重复件): candidates proposed to the operator, and merging a report into
its master case so that its reporter follows the master (并件)."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select

from . import audit
from .calendar import parse_limit
from .errors import ProcessRefusal
from .events import DomainEvent
from .models import Case, CaseLink

EARTH_M = 6_371_000


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


def parse_rule(text: str) -> tuple[bool, float, timedelta]:
    """``"category,500m,72h"``: same category (if listed), within 500 metres, opened in 72 hours."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    same_category = "category" in parts
    metres = next((float(p[:-1]) for p in parts if p.endswith("m") and p[:-1].replace(".", "").isdigit()), 500.0)
    window = next((parse_limit(p) for p in parts if p[-1:] in "hd" and p[:-1].isdigit()), parse_limit("72h"))
    delta = timedelta(hours=window.amount) if window.unit == "hours" else timedelta(days=window.amount)
    return same_category, metres, delta


def open_cases_near(session, lat: float, lng: float, at: datetime, rule: str, category: str | None = None,
                    exclude_id: int | None = None) -> list[tuple[Case, int]]:
    """Open, unmerged cases within the rule's distance of the point and opened within its window
    around ``at`` (of ``category`` too when the rule names it and one is given), each with its
    distance in whole metres, nearest first."""
    same_category, metres, window = parse_rule(rule)
    dlat = metres / 111_000
    dlng = metres / (111_000 * max(math.cos(math.radians(lat)), 0.01))
    q = select(Case).where(
        Case.status.in_(("running", "suspended")),
        Case.created_at >= at - window, Case.created_at <= at + window,
        Case.lat.between(lat - dlat, lat + dlat), Case.lng.between(lng - dlng, lng + dlng),
        ~Case.id.in_(select(CaseLink.case_id)))
    if exclude_id is not None:
        q = q.where(Case.id != exclude_id)
    if same_category and category:
        q = q.where(Case.category == category)
    found = [(other, distance_m(lat, lng, other.lat, other.lng)) for other in session.scalars(q.limit(50))]
    return sorted([(other, round(d)) for other, d in found if d <= metres], key=lambda pair: pair[1])


def candidates(session, case: Case, rule: str, data: dict) -> list[dict]:
    """Open cases that look like the same problem, nearest first."""
    if case.lat is None or case.lng is None:
        return []
    near = open_cases_near(session, case.lat, case.lng, case.created_at, rule,
                           data.get("category") or case.category, exclude_id=case.id)
    return [{"id": other.id, "number": other.number, "title": other.title, "category": other.category,
             "distance_m": d, "created_at": other.created_at} for other, d in near]


def merge(uow, case: Case, master_number: object, field: str, actor, now: datetime) -> Case:
    """Link ``case`` to the open master case with that number; refused (nothing changes) if there
    is no such open case."""
    s = uow.session
    master = s.scalar(select(Case).where(Case.number == str(master_number)))
    if master is None or master.id == case.id or master.status not in ("running", "suspended"):
        raise ProcessRefusal(f"no open case numbered {master_number} to merge into",
                             fields={field: [f"no open case numbered {master_number}"]})
    link = s.scalar(select(CaseLink).where(CaseLink.case_id == master.id))
    if link is not None:  # the master was itself merged: follow it to its own master
        master = s.get(Case, link.master_case_id)
    s.add(CaseLink(case_id=case.id, master_case_id=master.id, created_at=now))
    audit.append(s, now, actor, "case.merged", case_id=master.id,
                 detail={"merged_case": case.number, "master_case": master.number})
    uow.publish(DomainEvent("case.merged", master.id, payload={"merged_case_id": case.id}))
    return master
