"""What a report shows of each case it names, and whether the reader's part of the city holds
it: the same rule as the KPIs' (docs/kpis.md §5), the case's district or its responsible unit."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..kpis import stages
from ..kpis.groups import Scope, Units
from ..models import Case, Task


def _unit_of_latest(s: Session, case_ids: list[int], elements: tuple[str, ...] | None) -> dict[int, int | None]:
    latest = select(func.max(Task.id)).where(Task.case_id.in_(case_ids)).group_by(Task.case_id)
    if elements:
        latest = latest.where(Task.element_id.in_(elements))
    return dict(s.execute(select(Task.case_id, Task.org_unit_id).where(Task.id.in_(latest))).all())


def case_entries(s: Session, case_ids: list[int], units: Units, scope: Scope) -> dict[int, dict]:
    """``{number, title, district, district_name, department, received_at}`` of each case in
    the scope. The department is the responsible unit (承办单位): the org unit of the case's
    latest 签收/处置 row, else the case's own unit, else that of its latest row."""
    if not case_ids:
        return {}
    department = _unit_of_latest(s, case_ids, stages.DEPARTMENT)
    latest = _unit_of_latest(s, case_ids, None)
    out = {}
    for case in s.scalars(select(Case).where(Case.id.in_(case_ids))):
        unit_id = department.get(case.id) or case.org_unit_id or latest.get(case.id)
        if scope.unit_ids is not None and unit_id not in scope.unit_ids and case.district not in scope.codes:
            continue
        out[case.id] = {"case_id": case.id, "number": case.number, "title": case.title, "district": case.district,
                        "district_name": units.name_of_code(case.district) if case.district else "",
                        "department": units.by_id[unit_id][1] if unit_id in units.by_id else "",
                        "received_at": case.created_at}
    return out
