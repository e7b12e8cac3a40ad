"""The KPI table: SQL sums of the per-case facts (stored, and fresh for the cases changed
since, engine/kpis/store.py) by group key and period, rolled up the org and category trees in
Python (sums add up, so a parent's row is exact), then turned into rates."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import Session

from .cohort import SUMS, Window, add_counted, counted
from .groups import Scope, Units, group_column, rolled_up, row_label
from .metrics import kpi_values
from .store import current_facts


def _counted(session: Session, window: Window, group_by: str, scope: Scope) -> list:
    """The counted rows of the stored facts and the listed cases' fresh ones, in one statement.
    PostgreSQL sums each apart (a key, period and flags may then come twice; their sums add
    up): summing their UNION ALL, it carries every stored row through the union, a third of a
    month's query. SQLite sums the union, which it reads once; a lone stored part it would merge
    into the sums, computing each case's local days wherever they are used."""
    parts, params = current_facts(window)
    if window.dialect != "postgresql":
        parts = [union_all(*[select(*part.c) for part in parts]).subquery("facts")]
    return session.execute(union_all(*[_counted_in(facts, window, group_by, scope) for facts in parts]), params).all()


def _counted_in(facts, window: Window, group_by: str, scope: Scope):
    key = facts.c[group_column(group_by)]
    stmt = (select(key.label("key"), facts.c.bucket, facts.c.flags, *counted(window, facts))
            .group_by(key, facts.c.bucket, facts.c.flags))
    if scope.unit_ids is not None:
        stmt = stmt.where(or_(facts.c.unit_id.in_(scope.unit_ids), facts.c.district.in_(scope.codes)))
    return stmt


def _zeros() -> dict[str, float]:
    return dict.fromkeys(SUMS, 0.0)


def kpi_rows(session: Session, window: Window, group_by: str, paths: list[str] | None) -> list[dict]:
    """One row per group and period that has cases, ordered by group then period. ``paths``
    are the org-tree prefixes the caller oversees (None: the whole city)."""
    units = Units.load(session)
    scope = Scope.of(units, paths)
    own: dict[tuple, dict[str, float]] = defaultdict(_zeros)
    for row in _counted(session, window, group_by, scope):
        add_counted(own[(row.key, row.bucket)], row)
    totals: dict[tuple, dict[str, float]] = defaultdict(_zeros)
    for (own_key, index), sums in own.items():
        for key in rolled_up(group_by, own_key, units):
            into = totals[(key, index)]
            for name in SUMS:
                into[name] += sums[name]
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
