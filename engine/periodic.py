"""Periodic supervision data (日报/周报/月报): 应办未办 overdue tasks, 反复投诉 repeated
complaints, 久拖不决 long-running cases, 推诿扯皮 cases returned twice or more.

Each (job, period) runs once across a cluster: the run inserts its PeriodicRun row in the same
transaction as its result, so a second scheduler that tries the same period fails the insert."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import audit
from .models import AuditEvent, Case, PeriodicRun, Task
from .models.cases import TASK_OPEN_STATES

LONG_RUNNING = timedelta(days=30)
RETURN_WORDS = ("return", "退单", "退回")


@dataclass(frozen=True)
class Period:
    job: str  # supervision-daily | supervision-weekly | supervision-monthly
    key: str  # 2026-11-22 | 2026-W47 | 2026-11
    start: datetime
    end: datetime


def last_complete_period(kind: str, now: datetime, tz: ZoneInfo) -> Period:
    """The most recent whole day, ISO week or month before ``now`` (in the local time zone)."""
    today = now.astimezone(tz).date()
    if kind == "daily":
        first, last = today - timedelta(days=1), today
        key = first.isoformat()
    elif kind == "weekly":
        last = today - timedelta(days=today.weekday())
        first = last - timedelta(days=7)
        year, week, _ = first.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        last = today.replace(day=1)
        first = (last - timedelta(days=1)).replace(day=1)
        key = f"{first.year}-{first.month:02d}"
    return Period(f"supervision-{kind}", key, _at(first, tz), _at(last, tz))


def _at(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def _report(session, period: Period, now: datetime) -> dict:
    overdue = session.execute(select(Task.id, Task.case_id, Task.name, Task.due_at).where(
        Task.state.in_(TASK_OPEN_STATES), Task.due_at < period.end)).all()
    long_running = session.scalars(select(Case.number).where(
        Case.status.in_(("running", "suspended")), Case.created_at < now - LONG_RUNNING)).all()
    repeated = session.execute(select(Case.category, Case.title, func.count()).where(
        Case.created_at >= period.start - LONG_RUNNING, Case.created_at < period.end,
        Case.category.is_not(None)).group_by(Case.category, Case.title).having(func.count() > 1)).all()
    returns: dict[int, int] = {}
    for case_id, detail in session.execute(select(AuditEvent.case_id, AuditEvent.detail).where(
            AuditEvent.action == "task.completed", AuditEvent.at >= period.start - LONG_RUNNING,
            AuditEvent.at < period.end)):
        if any(str(v) in RETURN_WORDS for v in (detail.get("data") or {}).values()):
            returns[case_id] = returns.get(case_id, 0) + 1
    return {
        "overdue": [{"task_id": t, "case_id": c, "name": n, "due_at": d.isoformat()} for t, c, n, d in overdue],
        "long_running": list(long_running),
        "repeated_complaints": [{"category": c, "title": t, "count": n} for c, t, n in repeated],
        "returned_twice": sorted(c for c, n in returns.items() if n >= 2),
    }


def run_period(container, period: Period) -> bool:
    """Compute and store one period's report; False if another process already did."""
    with container.uow() as uow:
        s, now = uow.session, uow.clock.now()
        if s.get(PeriodicRun, (period.job, period.key)) is not None:
            return False
        result = _report(s, period, now)
        s.add(PeriodicRun(job=period.job, period=period.key, ran_at=now, result=result))
        try:
            s.flush()
        except IntegrityError:
            return False
        audit.append(s, now, None, "report.computed", detail={
            "job": period.job, "period": period.key,
            "counts": {k: len(v) for k, v in result.items()}})
        try:
            uow.commit()
        except IntegrityError:
            return False
        return True


def run_due_reports(container) -> list[str]:
    """Run every kind for its last complete period (a no-op for periods already run)."""
    tz = ZoneInfo(container.settings.timezone)
    now = container.clock.now()
    return [p.key for p in (last_complete_period(k, now, tz) for k in ("daily", "weekly", "monthly"))
            if run_period(container, p)]
