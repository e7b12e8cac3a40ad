"""The working-day calendar for admins: enter or import a year's 放假调休 days, confirm the year,
and recompute every open deadline the change touches. Also the time-limit table."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select

from .. import audit, sla
from ..calendar import Deadline, parse_limit
from ..calendar.store import calendar_for, invalidate
from ..errors import InvalidInput
from ..models import CalendarDay, CalendarYear, Task, TimeLimit
from ..models.cases import TASK_OPEN_STATES
from .common import admin_or_server


def add_limit(uow, start: datetime, limit_text: str) -> Deadline:
    """The deadline of ``limit_text`` from ``start`` on the current calendar (``calendar add``)."""
    try:
        limit = parse_limit(limit_text)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"limit": [str(exc)]}) from exc
    return calendar_for(uow, fresh=True).add(start, limit)


def year_status(uow) -> list[dict]:
    """Each year the calendar or an open deadline touches, confirmed or not."""
    s = uow.session
    years = {y.year: y.status for y in s.scalars(select(CalendarYear))}
    for due in s.scalars(select(Task.due_at).where(Task.state.in_(TASK_OPEN_STATES), Task.due_provisional)):
        years.setdefault(due.year, "provisional")
    entered = {}
    for day in s.scalars(select(CalendarDay.day).where(CalendarDay.source == "admin")):
        entered[day.year] = entered.get(day.year, 0) + 1
    return [{"year": y, "status": years[y], "admin_days": entered.get(y, 0),
             "open_provisional_deadlines": _provisional_count(s, y)} for y in sorted(years)]


def _provisional_count(s, year: int) -> int:
    return sum(1 for due in s.scalars(select(Task.due_at).where(
        Task.state.in_(TASK_OPEN_STATES), Task.due_provisional)) if due.year == year)


def set_days(uow, days: list[dict], actor_id: int | None) -> dict:
    """Add or override days (``{day, working, note}``); their years become provisional until
    confirmed. Open deadlines are recomputed."""
    s, now = uow.session, uow.clock.now()
    actor = admin_or_server(uow, actor_id)
    if not days:
        raise InvalidInput("no days given", fields={"days": ["at least one day"]})
    touched = set()
    for entry in days:
        day: date = entry["day"]
        row = s.get(CalendarDay, day) or CalendarDay(day=day)
        row.working, row.note, row.source = bool(entry["working"]), entry.get("note", "")[:100], "admin"
        s.add(row)
        touched.add(day.year)
    for year in touched:
        if s.get(CalendarYear, year) is None:
            s.add(CalendarYear(year=year, status="provisional"))
    s.flush()
    recomputed = _recompute_open(uow)
    audit.append(s, now, actor, "calendar.days_set", reason=None,
                 detail={"days": [{"day": e["day"].isoformat(), "working": bool(e["working"])} for e in days]})
    uow.commit()
    invalidate()
    return {"days": len(days), "recomputed_tasks": recomputed}


def confirm_year(uow, year: int, actor_id: int | None, days: list[dict] | None = None) -> dict:
    """Confirm ``year`` (optionally replacing its admin days with ``days``, as an import does)."""
    s, now = uow.session, uow.clock.now()
    actor = admin_or_server(uow, actor_id)
    if not 2000 <= year <= 2100:
        raise InvalidInput("bad year", fields={"year": ["between 2000 and 2100"]})
    if days is not None:
        s.execute(delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))
        bad = [e["day"].isoformat() for e in days if e["day"].year != year]
        if bad:
            raise InvalidInput("days outside the year", fields={"days": [f"not in {year}: {', '.join(bad)}"]})
        s.add_all(CalendarDay(day=e["day"], working=bool(e["working"]), note=e.get("note", "")[:100],
                              source="admin") for e in days)
    row = s.get(CalendarYear, year) or CalendarYear(year=year)
    row.status, row.confirmed_by_id, row.confirmed_at = "confirmed", actor.id if actor else None, now
    s.add(row)
    s.flush()
    recomputed = _recompute_open(uow)
    audit.append(s, now, actor, "calendar.year_confirmed", detail={"year": year, "recomputed": recomputed,
                                                                    "imported_days": len(days or [])})
    uow.commit()
    invalidate()
    return {"year": year, "status": "confirmed", "recomputed_tasks": recomputed}


def _recompute_open(uow) -> int:
    cal = calendar_for(uow, fresh=True)
    tasks = uow.session.scalars(select(Task).where(Task.state.in_(TASK_OPEN_STATES),
                                                   Task.sla_limit.is_not(None))).all()
    changed = 0
    for task in tasks:
        before = (task.due_at, task.due_provisional)
        sla.recompute(uow.session, task, cal)
        changed += (task.due_at, task.due_provisional) != before
    return changed


def list_time_limits(uow, actor_id: int) -> list[dict]:
    admin_or_server(uow, actor_id)
    return [_limit_view(r) for r in uow.session.scalars(select(TimeLimit).order_by(
        TimeLimit.process_key, TimeLimit.stage, TimeLimit.category, TimeLimit.urgency))]


def set_time_limit(uow, actor_id: int | None, process_key: str, stage: str, limit: str,
                   category: str = "", urgency: str = "", note: str = "") -> dict:
    """Add or change one row of the time-limit table (it applies to tasks opened from now on)."""
    s, now = uow.session, uow.clock.now()
    actor = admin_or_server(uow, actor_id)
    try:
        parse_limit(limit)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"limit": [str(exc)]}) from exc
    row = s.scalar(select(TimeLimit).where(TimeLimit.process_key == process_key, TimeLimit.stage == stage,
                                           TimeLimit.category == category, TimeLimit.urgency == urgency))
    row = row or TimeLimit(process_key=process_key, stage=stage, category=category, urgency=urgency)
    row.limit, row.note = limit, note
    s.add(row)
    s.flush()
    audit.append(s, now, actor, "time_limit.set", detail=_limit_view(row))
    uow.commit()
    uow.cache.forget("time-limits")
    return _limit_view(row)


def _limit_view(r: TimeLimit) -> dict:
    return {"process_key": r.process_key, "stage": r.stage, "category": r.category, "urgency": r.urgency,
            "limit": r.limit, "note": r.note}
