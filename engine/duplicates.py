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


def candidates(session, case: Case, rule: str, data: dict) -> list[dict]:
    """Open cases that look like the same problem, nearest first."""
    same_category, metres, window = parse_rule(rule)
    category = data.get("category") or case.category
    if case.lat is None or case.lng is None:
        return []
    dlat = metres / 111_000
    dlng = metres / (111_000 * max(math.cos(math.radians(case.lat)), 0.01))
    q = select(Case).where(
        Case.id != case.id, Case.status.in_(("running", "suspended")),
        Case.created_at >= case.created_at - window, Case.created_at <= case.created_at + window,
        Case.lat.between(case.lat - dlat, case.lat + dlat), Case.lng.between(case.lng - dlng, case.lng + dlng),
        ~Case.id.in_(select(CaseLink.case_id)))
    if same_category and category:
        q = q.where(Case.category == category)
    found = []
    for other in session.scalars(q.limit(50)):
        d = distance_m(case.lat, case.lng, other.lat, other.lng)
        if d <= metres:
            found.append({"id": other.id, "number": other.number, "title": other.title,
                          "category": other.category, "distance_m": round(d), "created_at": other.created_at})
    return sorted(found, key=lambda c: c["distance_m"])


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
