"""One supervision report (通报): for a period and a part of the city, the four lists of cases
(lists.py) with the KPI table of the cases received in the period by district, the daily series
behind its trend charts and the departments' figures behind its ranking."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..calendar.store import calendar_for
from ..kpis.groups import Scope, Units
from ..kpis.table import kpi_table, local_zone
from ..models import OrgUnit
from . import lists
from .cases import case_entries
from .periods import NAMES, ReportPeriod
from .working_days import last_day, open_working_days, received_before

LISTS = ("overdue", "repeated", "long_open", "buck_passing")  # 应办未办, 反复投诉, 久拖不决, 推诿扯皮


tz_of = local_zone  # the reports' local time zone: the deployment's


def _weight(entry: dict) -> float:
    """How bad a case's showing is, to list the worst first: hours overdue, working days
    open, times returned, reports merged."""
    return max(r.get("hours") or r.get("working_days") or r.get("times") or len(r.get("numbers", ()))
               for r in entry["reasons"])


def _found(uow, period: ReportPeriod, as_of, tz: ZoneInfo, names: dict[int, str]) -> dict[str, dict]:
    s, cal = uow.session, calendar_for(uow)
    end, limit_wd = last_day(as_of, tz), uow.settings.long_open_wd
    return {"overdue": lists.overdue(s, as_of, names),
            "repeated": lists.repeated(s, period.start_at, as_of),
            "long_open": lists.long_open(s, as_of, received_before(cal, tz, end, limit_wd),
                                         open_working_days(cal, tz, end)),
            "buck_passing": lists.buck_passing(s, period.start_at, as_of, names)}


def _scope_name(units: Units, paths: list[str] | None) -> str:
    """The reader's part of the city: the units they oversee (for the whole city, the roots)."""
    chosen = [name for _, name, path in units.by_id.values()
              if (path in paths if paths is not None else path.count("/") == 2)]
    return "、".join(sorted(chosen))


def _departments(uow, period: ReportPeriod, paths: list[str] | None) -> list[dict]:
    """The departments' KPI rows (not the 12345 centre's voided and merged reports alone)."""
    kinds = dict(uow.session.execute(select(OrgUnit.code, OrgUnit.kind)).all())
    return [r for r in kpi_table(uow, period.first, period.last, "range", "org_unit", paths)
            if kinds.get(r["group"]) == "department" and r["accepted"]]


def build_report(uow, period: ReportPeriod, paths: list[str] | None) -> dict:
    """The report for readers overseeing ``paths`` (None: the whole city). Its lists hold the
    cases as of the period's end (or now, for a period still running), each with
    ``{case_id, number, title, district, district_name, department, received_at, reasons}``,
    worst first; ``kpis`` are the district rows of the KPI table, ``daily`` the same by day
    (for a period of more than a day), ``departments`` the rows of departments that accepted
    cases in the period."""
    s, now, tz = uow.session, uow.clock.now(), tz_of(uow)
    as_of = min(period.end_at, now)
    units = Units.load(s)
    names = {unit_id: name for unit_id, (_, name, _) in units.by_id.items()}
    found = _found(uow, period, as_of, tz, names)
    entries = case_entries(s, sorted(set().union(*found.values())), units, Scope.of(units, paths))
    listed = {kind: sorted((entries[i] | {"reasons": r} for i, r in found[kind].items() if i in entries),
                           key=lambda e: (-_weight(e), e["number"])) for kind in LISTS}
    return {"kind": period.kind, "key": period.key, "name": NAMES[period.kind], "first": period.first,
            "last": period.last, "as_of": as_of, "in_progress": now < period.end_at,
            "scope": _scope_name(units, paths), "long_open_wd": uow.settings.long_open_wd,
            "lists": listed, "counts": {kind: len(cases) for kind, cases in listed.items()},
            "kpis": kpi_table(uow, period.first, period.last, "range", "district", paths),
            "daily": kpi_table(uow, period.first, period.last, "day", "district", paths) if period.days > 1 else [],
            "departments": _departments(uow, period, paths)}
