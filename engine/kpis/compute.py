"""The KPI table: one SQL aggregate of the per-case facts by group key and period, rolled up
the org and category trees in Python (sums add up, so a parent's row is exact), then turned
into rates."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .facts import SUMS, Window, case_facts
from .groups import Scope, Units, group_key, rolled_up, row_label
from .metrics import kpi_values


def _sums(session: Session, window: Window, group_by: str, scope: Scope) -> list:
    facts = case_facts(window, group_key(group_by)).subquery("facts")
    stmt = (select(facts.c.key, facts.c.bucket, *[func.sum(facts.c[name]).label(name) for name in SUMS])
            .group_by(facts.c.key, facts.c.bucket))
    if scope.unit_ids is not None:
        stmt = stmt.where(or_(facts.c.unit_id.in_(scope.unit_ids), facts.c.district.in_(scope.codes)))
    return session.execute(stmt).all()


def kpi_rows(session: Session, window: Window, group_by: str, paths: list[str] | None) -> list[dict]:
    """One row per group and period that has cases, ordered by group then period. ``paths``
    are the org-tree prefixes the caller oversees (None: the whole city)."""
    units = Units.load(session)
    scope = Scope.of(units, paths)
    totals: dict[tuple, dict[str, float]] = defaultdict(lambda: dict.fromkeys(SUMS, 0.0))
    for row in _sums(session, window, group_by, scope):
        for key in rolled_up(group_by, row.key, units):
            into = totals[(key, row.bucket)]
            for name in SUMS:
                into[name] += float(getattr(row, name) or 0)
    rows = []
    for (key, index), sums in totals.items():
        if not scope.shows(group_by, key):
            continue
        code, name = row_label(session, group_by, key, units)
        bucket = window.buckets[index]
        rows.append({"group_by": group_by, "group": code, "group_name": name, "period": bucket.label,
                     "period_start": bucket.first.isoformat(), "period_end": bucket.last.isoformat()}
                    | kpi_values(sums))
    return sorted(rows, key=lambda r: (r["group"] is None, r["group"] or "", r["period_start"]))
