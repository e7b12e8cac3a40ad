"""The leaders' cockpit (领导驾驶舱) for one area of the overseer's subtree (docs/cockpit.md):
today's intake, open, overdue and escalated cases, this month's satisfaction rate, overdue
steps by category and district, the departments ranked on one KPI, and each KPI's trend.

Every KPI figure is a row of :func:`engine.services.kpis.kpis`, so the cockpit shows what
GET /api/v1/kpis shows: for a district, its ``group_by=district`` row (the cases reported in it,
wherever they are worked: a district leader's intake includes reports still at the 12345
centre); for any other unit its ``group_by=org_unit`` row (the cases its subtree is responsible for). The live counts (open, overdue, escalated, the heat) are where the work
sits now: a case is in the area while one of its open steps sits in an org unit of the subtree.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, exists, false, func, or_, select

from ..errors import Forbidden, InvalidInput
from ..kpis import buckets
from ..kpis.groups import category_names
from ..kpis.metrics import AVERAGES, RATES
from ..models import Case, OrgUnit, SupervisionItem, Task, User
from ..models.cases import TASK_OPEN_STATES
from ..permissions import OVERSEER_ROLES, oversight_paths
from .common import load_actor, require_role
from .kpis import kpis

OPEN_STATUSES = ("running", "suspended")
ESCALATION_KINDS = ("escalation", "discipline", "urge")   # 提级, 纪检移送, 督办; not extension requests
AREA_KINDS = ("city", "district", "street")               # what the area picker offers below one's own units
RANKED_KPIS = (*RATES, *AVERAGES)
LOWER_IS_BETTER = frozenset({"reopened_rate", *AVERAGES})
DEFAULT_KPI = "on_time_completion_rate"                   # 按期办结率
TREND_PERIODS = ("day", "week", "month")
TREND_LENGTH = {"day": 30, "week": 12, "month": 12}       # the default range, in periods


def cockpit(uow, actor_id: int, unit: str | None = None, kpi: str | None = None) -> dict:
    """The cockpit of ``unit`` (default: the overseer's own top unit): ``tiles``, ``heat`` and
    the department ``ranking`` on ``kpi`` (default 按期办结率) for this month so far. Forbidden
    for anyone but leaders, supervisors and admins, and for a unit outside their subtree."""
    s = uow.session
    user = _overseer(uow, actor_id)
    area, choices = _area(s, user, unit)
    kpi = kpi or DEFAULT_KPI
    if kpi not in RANKED_KPIS:
        raise InvalidInput(f"unknown KPI {kpi!r}", fields={"kpi": [f"one of {', '.join(RANKED_KPIS)}"]})
    today, grouping = _today(uow), kpi_grouping(area)
    month = kpis(uow, actor_id, today.replace(day=1), today, "org_unit", "range")
    received = _row_of(kpis(uow, actor_id, today, today, grouping, "range"), area)
    this_month = _row_of(month if grouping == "org_unit" else
                         kpis(uow, actor_id, today.replace(day=1), today, grouping, "range"), area)
    tiles = _live_counts(s, area, uow.clock.now()) | {
        "intake": received["received"] if received else 0,
        "satisfaction": this_month["satisfaction_rate"] if this_month else None,
        "evaluated": this_month["evaluated"] if this_month else 0}
    return {"area": _unit_dict(area), "areas": [_unit_dict(u) for u in choices], "today": today, "grouping": grouping,
            "month_from": today.replace(day=1), "tiles": tiles, "heat": _heat(s, area, uow.clock.now()),
            "ranking": _ranking(s, area, month, kpi)}


def trends(uow, actor_id: int, unit: str | None = None, period: str | None = None,
           from_: date | None = None, to: date | None = None) -> dict:
    """The area's KPI row for each ``period`` (day, week or month) from ``from_`` to ``to``: by
    default the last 30 days, 12 weeks or 12 months up to today. ``rows`` has one entry per
    period label, None where no case was received."""
    s = uow.session
    user = _overseer(uow, actor_id)
    area, choices = _area(s, user, unit)
    period = period or "day"
    if period not in TREND_PERIODS:
        raise InvalidInput(f"unknown period {period!r}", fields={"period": [f"one of {', '.join(TREND_PERIODS)}"]})
    to = to or _today(uow)
    from_ = from_ or _periods_back(to, period, TREND_LENGTH[period])
    grouping = kpi_grouping(area)
    rows = {row["period"]: row for row in kpis(uow, actor_id, from_, to, grouping, period)
            if row["group"] == area.code}
    labels = [bucket.label for bucket in buckets(from_, to, period, _tz(uow))]
    return {"area": _unit_dict(area), "areas": [_unit_dict(u) for u in choices], "period": period, "grouping": grouping,
            "from": from_, "to": to, "labels": labels, "rows": [rows.get(label) for label in labels]}


def kpi_grouping(area: OrgUnit) -> str:
    """Which KPI rows describe an area: a district's own (``district``), else its unit's subtree."""
    return "district" if area.kind == "district" else "org_unit"


def _overseer(uow, actor_id: int) -> User:
    user = load_actor(uow.session, actor_id)
    require_role(user, *OVERSEER_ROLES)
    return user


def _tz(uow) -> ZoneInfo:
    return ZoneInfo(uow.settings.timezone) if uow.settings else ZoneInfo("Asia/Shanghai")


def _today(uow) -> date:
    return uow.clock.now().astimezone(_tz(uow)).date()


def _periods_back(to: date, period: str, count: int) -> date:
    """The first day of the ``count``-th period ending with ``to``'s (its day, ISO week, month)."""
    if period == "day":
        return to - timedelta(days=count - 1)
    if period == "week":
        return to - timedelta(days=to.weekday(), weeks=count - 1)
    months = to.year * 12 + to.month - 1 - (count - 1)
    return date(months // 12, months % 12 + 1, 1)


def _area(s, user: User, code: str | None) -> tuple[OrgUnit, list[OrgUnit]]:
    """The unit asked for (default the first the picker offers) and the picker's units: the
    overseer's own top units (the tree's roots for city-wide roles) and the areas below them."""
    paths = oversight_paths(s, user)
    visible = select(OrgUnit)
    if paths is not None:
        visible = visible.where(or_(false(), *[OrgUnit.path.startswith(p) for p in paths]))
    tops = OrgUnit.parent_id.is_(None) if paths is None else OrgUnit.path.in_(paths)
    choices = list(s.scalars(visible.where(or_(tops, OrgUnit.kind.in_(AREA_KINDS)))
                             .order_by(OrgUnit.level, OrgUnit.code)))
    if code is None:
        if not choices:
            raise Forbidden("you oversee no org unit")
        return choices[0], choices
    unit = s.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput(f"unknown org unit {code!r}", fields={"unit": ["an org unit code"]})
    if s.scalar(visible.where(OrgUnit.id == unit.id)) is None:
        raise Forbidden(f"{code} is outside the org units you oversee")
    return unit, choices


def _unit_dict(unit: OrgUnit) -> dict:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind}


def _row_of(rows: list[dict], unit: OrgUnit) -> dict | None:
    return next((row for row in rows if row["group"] == unit.code), None)


def _steps_in(area: OrgUnit):
    """Open steps sitting in the area's subtree; at the root of the tree also the steps held by
    a role anywhere (no org unit), which belong to the whole city."""
    units = select(OrgUnit.id).where(OrgUnit.path.startswith(area.path))
    where = Task.org_unit_id.in_(units)
    if area.parent_id is None:
        where = or_(where, Task.org_unit_id.is_(None))
    return Task.state.in_(TASK_OPEN_STATES), where


def _live_counts(s, area: OrgUnit, now: datetime) -> dict:
    """open: running or suspended cases with an open step in the area; overdue: those with such
    a step past its deadline; escalated: those with an unresolved 提级, 纪检 or 督办 item."""
    in_area = exists().where(Task.case_id == Case.id, *_steps_in(area))
    late = exists().where(Task.case_id == Case.id, *_steps_in(area), Task.due_at < now)
    flagged = exists().where(SupervisionItem.case_id == Case.id, SupervisionItem.resolved_at.is_(None),
                             SupervisionItem.kind.in_(ESCALATION_KINDS))
    open_cases = select(func.count(distinct(Case.id))).where(Case.status.in_(OPEN_STATUSES), in_area)
    return {"open": s.scalar(open_cases), "overdue": s.scalar(open_cases.where(late)),
            "escalated": s.scalar(open_cases.where(flagged))}


def _heat(s, area: OrgUnit, now: datetime) -> dict:
    """Open steps past their deadline in the area, by the case's district and top-level category."""
    counts: Counter = Counter()
    for category, district, n in s.execute(
            select(Case.category, Case.district, func.count()).join(Task, Task.case_id == Case.id)
            .where(*_steps_in(area), Task.due_at < now).group_by(Case.category, Case.district)):
        counts[(district, category.split(".")[0] if category else None)] += n
    names = category_names()
    present = {c for _, c in counts}
    categories = [(code, names[code]) for code in names if "." not in code]
    categories += [(None, None)] if None in present else []
    districts = dict(s.execute(select(OrgUnit.code, OrgUnit.name).where(
        OrgUnit.kind == "district", OrgUnit.path.startswith(area.path))).all())
    for code in {d for d, _ in counts} - set(districts):
        districts[code] = s.scalar(select(OrgUnit.name).where(OrgUnit.code == code)) or code
    rows = [{"district": code, "district_name": districts[code] if code else None,
             "counts": [counts[(code, c)] for c, _ in categories],
             "total": sum(counts[(code, c)] for c, _ in categories)}
            for code in sorted(districts, key=lambda d: (d is None, d or ""))]
    return {"categories": [{"code": c, "name": n} for c, n in categories], "rows": rows,
            "total": sum(counts.values()), "max": max(counts.values(), default=0)}


def _ranking(s, area: OrgUnit, rows: list[dict], kpi: str) -> dict:
    """The area's departments on ``kpi``, best first; departments without a value come last."""
    departments = set(s.scalars(select(OrgUnit.code).where(
        OrgUnit.kind == "department", OrgUnit.path.startswith(area.path))))
    ranked = [{"code": r["group"], "name": r["group_name"], "value": r[kpi], "accepted": r["accepted"]}
              for r in rows if r["group"] in departments]
    lower = kpi in LOWER_IS_BETTER
    ranked.sort(key=lambda r: (r["value"] is None, (r["value"] or 0) * (1 if lower else -1), r["code"]))
    return {"kpi": kpi, "lower_is_better": lower, "rows": ranked}
