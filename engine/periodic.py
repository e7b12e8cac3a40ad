"""The supervision reports' scheduled runs (日报/周报/月报): once a day, week or month has ended,
its city-wide report is computed and recorded, and subscribers hear of it (the monthly PDF by
e-mail: notifications/supervision_report.py listens for ``report.closed``).

Each (job, period) runs once across a cluster: the run inserts its PeriodicRun row in the same
transaction as its result, its audit row and whatever the ``report.closed`` subscribers add (the
outbox rows), so a second scheduler that tries the same period fails the insert and sends nothing."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from . import audit
from .events import DomainEvent
from .models import PeriodicRun
from .supervision_reports import KINDS, LISTS, ReportPeriod, build_report
from .supervision_reports import last_complete as last_complete_period  # the whole day, week or month before now


def _result(report: dict) -> dict:
    """What the run keeps: the city-wide counts and case numbers of each list, as they stood."""
    return {"as_of": report["as_of"].isoformat(), "counts": report["counts"],
            "cases": {kind: [entry["number"] for entry in report["lists"][kind]] for kind in LISTS}}


def run_period(container, period: ReportPeriod) -> bool:
    """Compute, store and announce one period's report; False if it was done already (here or
    by another scheduler)."""
    with container.uow() as uow:
        s, now = uow.session, uow.clock.now()
        if s.get(PeriodicRun, (period.job, period.key)) is not None:
            return False
        result = _result(build_report(uow, period, None))
        s.add(PeriodicRun(job=period.job, period=period.key, ran_at=now, result=result))
        try:
            s.flush()
        except IntegrityError:
            return False
        audit.append(s, now, None, "report.computed", detail={"job": period.job, "period": period.key,
                                                               "counts": result["counts"]})
        uow.publish(DomainEvent("report.closed", payload={"kind": period.kind, "period": period.key}))
        try:
            uow.commit()
        except IntegrityError:
            return False
        return True


def run_due_reports(container) -> list[str]:
    """Run every kind for its last complete period (a no-op for periods already run)."""
    tz = ZoneInfo(container.settings.timezone)
    now = container.clock.now()
    return [p.key for p in (last_complete_period(k, now, tz) for k in KINDS) if run_period(container, p)]
