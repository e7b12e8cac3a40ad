"""One row per case received in the range: what happened to it, as 0/1 flags and durations,
computed from its step rows (tasks) and its case row. docs/kpis.md defines each flag; the
KPIs are sums of these columns, so the same select can later feed an incremental table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, literal, or_, select

from ..calendar import WorkCalendar
from ..models import Case, CaseLink, Task
from . import stages
from .local_time import local_day_number, seconds_between
from .periods import Bucket
from .working_days import ordinal, touches_provisional

C, T = Case.__table__, Task.__table__
FLAGS = ("received", "voided", "merged", "accepted", "dispatched", "dispatched_in_time", "fed_back",
         "fed_back_on_time", "completed", "completed_on_time", "evaluated", "satisfied", "callback_due",
         "called_back", "resolved", "reopened", "direct", "provisional_days")
SUMS = (*FLAGS, "hours_to_complete", "working_days_to_complete")


@dataclass(frozen=True)
class Window:
    """The cases to read and how to place them: the periods of the received-at range, the time
    zone, the work calendar, the last local day a completion may fall on, the SQL dialect."""

    buckets: list[Bucket]
    tz: ZoneInfo
    calendar: WorkCalendar
    until: date
    dialect: str


def _is(*elements: str):
    return T.c.element_id.in_(elements)


def _when(condition, value):
    return case((condition, value))


def _flag(condition):
    return case((condition, 1), else_=0)


def _step_summary(window: Window):
    """Per case: the ids that mark its stages, and how many rows of some stages it has."""
    done = T.c.state == "completed"
    return (select(
        T.c.case_id,
        func.min(_when(_is(*stages.DEPARTMENT), T.c.id)).label("first_department_id"),
        func.max(_when(_is(*stages.DEPARTMENT), T.c.id)).label("last_department_id"),
        func.max(T.c.id).label("last_task_id"),
        func.min(_when(_is(stages.VERIFY), T.c.id)).label("first_verify_id"),
        func.max(_when(and_(_is(stages.VERIFY), done), T.c.id)).label("last_verified_id"),
        func.max(_when(and_(_is(stages.VERIFY), done), T.c.completed_at)).label("verified_at"),
        func.count(_when(_is(stages.VERIFY), 1)).label("verify_rows"),
        func.max(_when(_is(stages.HANDLE), T.c.id)).label("last_handle_id"),
        func.min(_when(_is(stages.UNSATISFIED_REVIEW), T.c.id)).label("first_review_id"),
        func.count(_when(_is(stages.SIGN_FOR), 1)).label("sign_for_rows"),
        func.count(_when(_is(stages.RETURN_REVIEW, stages.CONSULT), 1)).label("detours"),
        func.max(_when(_is(*stages.EVALUATION), T.c.id)).label("last_evaluation_id"),
        func.max(_when(and_(_is(*stages.EVALUATION), done), T.c.id)).label("last_evaluated_id"),
    ).select_from(T.join(C, C.c.id == T.c.case_id)).where(*_received_in(window))
        .group_by(T.c.case_id).subquery("steps"))


def _lateness(steps):
    """Per case: late rows (completed after their deadline, which already allows for paused
    clocks and granted extensions) before dispatch, before the first feedback, up to 办结."""
    def late(condition):
        return func.count(_when(and_(condition, T.c.state == "completed", T.c.completed_at > T.c.due_at), 1))

    return (select(
        steps.c.case_id,
        late(and_(_is(*stages.INTAKE, *stages.DISPATCH), T.c.id < steps.c.first_department_id)).label("late_dispatch"),
        late(and_(_is(*stages.DEPARTMENT), T.c.id < steps.c.first_verify_id)).label("late_feedback"),
        late(and_(_is(*stages.DEPARTMENT, stages.VERIFY), T.c.id <= steps.c.last_verified_id)).label("late_to_done"),
    ).select_from(steps.join(T, T.c.case_id == steps.c.case_id)).group_by(steps.c.case_id).subquery("lateness"))


def _received_in(window: Window):
    return C.c.created_at >= window.buckets[0].start_at, C.c.created_at < window.buckets[-1].end_at


def _outcomes(steps, late) -> tuple[dict, object, object]:
    """The 0/1 columns of docs/kpis.md §2, with the completed condition and completion instant."""
    satisfaction = C.c.data["satisfaction"].as_string()
    decision = func.coalesce(C.c.data["decision"].as_string(), "")
    merged = exists().where(CaseLink.case_id == C.c.id)
    accepted = and_(~merged, decision != stages.VOID_DECISION)
    dispatched = and_(accepted, steps.c.first_department_id.is_not(None))
    fed_back = and_(dispatched, steps.c.first_verify_id.is_not(None))
    verified_last = and_(steps.c.last_verified_id.is_not(None), or_(
        steps.c.last_handle_id.is_(None), steps.c.last_handle_id < steps.c.last_verified_id))
    closed_unverified = and_(func.coalesce(steps.c.verify_rows, 0) == 0, C.c.status == "completed")
    completed = and_(accepted, or_(verified_last, closed_unverified))
    evaluated = and_(accepted, satisfaction.in_(stages.SATISFACTIONS))
    callback_due = and_(completed, steps.c.last_evaluation_id.is_not(None))
    flags = {
        "received": literal(1),
        "voided": _flag(and_(~merged, decision == stages.VOID_DECISION)),
        "merged": _flag(merged),
        "accepted": _flag(accepted),
        "dispatched": _flag(dispatched),
        "dispatched_in_time": _flag(and_(dispatched, late.c.late_dispatch == 0)),
        "fed_back": _flag(fed_back),
        "fed_back_on_time": _flag(and_(fed_back, late.c.late_feedback == 0)),
        "completed": _flag(completed),
        "completed_on_time": _flag(and_(completed, func.coalesce(late.c.late_to_done, 0) == 0)),
        "evaluated": _flag(evaluated),
        "satisfied": _flag(and_(evaluated, satisfaction.in_(stages.SATISFIED))),
        "callback_due": _flag(callback_due),
        "called_back": _flag(and_(callback_due, satisfaction.in_(stages.SATISFACTIONS),
                                  steps.c.last_evaluated_id == steps.c.last_evaluation_id)),
        "resolved": _flag(and_(completed, or_(satisfaction.is_(None), satisfaction != "unsatisfied"))),
        "reopened": _flag(and_(accepted, steps.c.last_handle_id > steps.c.first_review_id)),
        "direct": _flag(and_(dispatched, steps.c.sign_for_rows == 1, steps.c.detours == 0)),
    }
    return flags, completed, case((verified_last, steps.c.verified_at), else_=C.c.closed_at)


def _durations(window: Window, completed, completed_at) -> dict:
    """Hours and working days from receipt to completion (0 for cases not completed), and
    whether those working days reach into an unconfirmed calendar year."""
    at, first, last, cal = window.buckets[0].start_at, window.buckets[0].first, window.until, window.calendar
    received_n = local_day_number(C.c.created_at, window.dialect, window.tz, at)
    completed_n = local_day_number(completed_at, window.dialect, window.tz, at)
    working_days = ordinal(completed_n, cal, first, last) - ordinal(received_n, cal, first, last)
    hours = seconds_between(completed_at, C.c.created_at, window.dialect) / 3600.0
    return {
        "provisional_days": _flag(and_(completed, touches_provisional(received_n, completed_n, cal, first, last))),
        "hours_to_complete": case((completed, hours), else_=0.0),
        "working_days_to_complete": case((completed, working_days), else_=0),
    }


def _bucket(window: Window):
    """The index of the period a case was received in (the query keeps only the range)."""
    if len(window.buckets) == 1:
        return literal(0)
    return case(*[(C.c.created_at < b.end_at, i) for i, b in enumerate(window.buckets[:-1])],
                else_=len(window.buckets) - 1)


def case_facts(window: Window, group_key):
    """The per-case select: ``key`` (``group_key(cases, unit_id)``), ``bucket`` (index into
    ``window.buckets``), ``unit_id`` and ``district`` (for the caller's scope) and the SUMS."""
    steps = _step_summary(window)
    late = _lateness(steps)
    department_row, last_row = T.alias("department_row"), T.alias("last_row")
    unit_id = func.coalesce(department_row.c.org_unit_id, C.c.org_unit_id, last_row.c.org_unit_id)
    flags, completed, completed_at = _outcomes(steps, late)
    columns = flags | _durations(window, completed, completed_at)
    source = (C.outerjoin(steps, steps.c.case_id == C.c.id).outerjoin(late, late.c.case_id == C.c.id)
              .outerjoin(department_row, department_row.c.id == steps.c.last_department_id)
              .outerjoin(last_row, last_row.c.id == steps.c.last_task_id))
    return (select(group_key(C, unit_id).label("key"), _bucket(window).label("bucket"), unit_id.label("unit_id"),
                   C.c.district.label("district"), *[value.label(name) for name, value in columns.items()])
            .select_from(source).where(*_received_in(window)))
