"""Time limits on tasks (办理时限): when the clock starts, pauses, resumes, is extended or is
recomputed, and the warning (80 %) and breach timers that follow it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from .calendar import Limit, WorkCalendar, parse_limit
from .models import Task, TimeLimit, Timer

WARN_FRACTION = 0.8
SLA_KINDS = ("sla-warn", "sla-due", "escalate")


def table_limit(uow, process_key: str, stage: str, category: str | None, urgency: str | None) -> str | None:
    """The admins' table wins over the diagram: the most specific row for the case. A row's
    category matches that category and those below it (``water`` covers ``water.supply.outage``);
    the longest match wins, then a row naming the urgency. The table is cached per process key
    for a minute (and dropped at once when this process edits it)."""
    rows = uow.cache.get_or_load(("time-limits", process_key), lambda: [
        (r.stage, r.category, r.urgency, r.limit) for r in uow.session.scalars(
            select(TimeLimit).where(TimeLimit.process_key == process_key))])
    category = category or ""
    fits = [r for r in rows if r[0] == stage and r[2] in ("", urgency or "")
            and (r[1] == "" or category == r[1] or category.startswith(r[1] + "."))]
    fits.sort(key=lambda r: (len(r[1]), r[2] != ""), reverse=True)
    return fits[0][3] if fits else None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _warn_at(cal: WorkCalendar, limit: Limit | None, start: datetime, due: datetime) -> datetime:
    if limit is None or limit.is_natural:
        return start + (due - start) * WARN_FRACTION if due > start else due
    return _utc(cal.add_working_time(start, cal.working_time_between(start, due) * WARN_FRACTION))


def _shift(cal: WorkCalendar, limit: Limit | None, moment: datetime, paused: timedelta) -> datetime:
    if paused <= timedelta(0):
        return moment
    if limit is None or limit.is_natural:
        return moment + paused
    return _utc(cal.add_working_time(moment, paused))


def _paused_span(cal: WorkCalendar, limit: Limit | None, since: datetime, until: datetime) -> timedelta:
    if limit is None or limit.is_natural:
        return max(until - since, timedelta(0))
    return cal.working_time_between(since, until)


def _limit(task: Task) -> Limit | None:
    return parse_limit(task.sla_limit) if task.sla_limit else None


def start_clock(session: Session, task: Task, due_text: str | None, now: datetime, cal: WorkCalendar) -> None:
    """Set due/warn times of a task from a limit (``3wd``, ``4wh``, ``PT2H``) or an ISO date-time,
    and its timers."""
    set_clock(task, due_text, now, cal)
    schedule_timers(session, task, new=True)


def set_clock(task: Task, due_text: str | None, now: datetime, cal: WorkCalendar) -> None:
    """:func:`start_clock`'s times alone, for a row not inserted yet: it is written once, with
    them, and its timers follow when it has an id."""
    if not due_text:
        return
    try:
        fixed = datetime.fromisoformat(due_text)
    except ValueError:
        fixed = None
    if fixed is not None:
        task.due_at = _utc(fixed if fixed.tzinfo else fixed.replace(tzinfo=cal.tz))
        task.warn_at = _warn_at(cal, None, now, task.due_at)
    else:
        limit = parse_limit(due_text)
        deadline = cal.add(now, limit)
        task.sla_limit, task.sla_started_at = str(limit), now
        task.due_at, task.due_provisional = _utc(deadline.at), deadline.provisional
        task.warn_at = _warn_at(cal, limit, now, task.due_at)


def continue_clock(task: Task, previous: Task, now: datetime, cal: WorkCalendar) -> None:
    """A stage reopened after a pause (挂账: the hold's approval and release) keeps its clock:
    the previous row's deadline, pushed back by the time spent away from it. Times only, for a
    row not inserted yet, as :func:`set_clock`."""
    limit = _limit(previous)
    paused = _paused_span(cal, limit, previous.completed_at or now, now)
    task.sla_limit, task.sla_started_at = previous.sla_limit, previous.sla_started_at
    task.sla_extensions, task.due_provisional = list(previous.sla_extensions), previous.due_provisional
    task.paused_s = previous.paused_s + int(paused.total_seconds())
    task.due_at = _shift(cal, limit, previous.due_at, paused)
    task.warn_at = _shift(cal, limit, previous.warn_at, paused) if previous.warn_at else None


def recompute(session: Session, task: Task, cal: WorkCalendar) -> None:
    """Recompute from the clock's start (after the calendar changed), keeping paused time."""
    limit = _limit(task)
    if limit is None or task.sla_started_at is None:
        return
    deadline = cal.add(task.sla_started_at, limit)
    provisional = deadline.provisional
    due = _shift(cal, limit, _utc(deadline.at), timedelta(seconds=task.paused_s))
    for granted in task.sla_extensions:
        extended = cal.add(due, parse_limit(granted))
        due, provisional = _utc(extended.at), provisional or extended.provisional
    task.due_at, task.due_provisional = due, provisional
    task.warn_at = _warn_at(cal, limit, task.sla_started_at, task.due_at)
    if task.paused_at is None:
        schedule_timers(session, task)


def pause(session: Session, task: Task, now: datetime) -> None:
    if task.paused_at is None and task.due_at is not None:
        task.paused_at = now
        cancel_timers(session, [task.id], SLA_KINDS)


def resume(session: Session, task: Task, now: datetime, cal: WorkCalendar) -> None:
    if task.paused_at is None:
        return
    limit = _limit(task)
    paused = _paused_span(cal, limit, task.paused_at, now)
    task.paused_s += int(paused.total_seconds())
    task.paused_at = None
    if task.due_at is not None:
        task.due_at = _shift(cal, limit, task.due_at, paused)
        task.warn_at = _shift(cal, limit, task.warn_at, paused) if task.warn_at else None
        schedule_timers(session, task)


def extend(session: Session, task: Task, by: Limit, cal: WorkCalendar) -> None:
    """An approved extension (延期) moves the deadline by ``by`` from the current deadline."""
    deadline = cal.add(task.due_at, by)
    task.sla_extensions = [*task.sla_extensions, str(by)]
    task.due_at = _utc(deadline.at)
    task.due_provisional = task.due_provisional or deadline.provisional
    if task.paused_at is None:
        schedule_timers(session, task)


def schedule_timers(session: Session, task: Task, new: bool = False) -> None:
    """Replace the task's pending warning and breach timers with ones for its current times
    (a ``new`` task has none yet)."""
    if not new:
        cancel_timers(session, [task.id], SLA_KINDS)
    if task.warn_at is not None and task.warn_at < task.due_at:
        session.add(Timer(case_id=task.case_id, task_id=task.id, kind="sla-warn", fire_at=task.warn_at))
    if task.due_at is not None:
        session.add(Timer(case_id=task.case_id, task_id=task.id, kind="sla-due", fire_at=task.due_at))


_CANCEL = (update(Timer).where(Timer.task_id.in_(bindparam("task_ids", expanding=True)), Timer.state == "pending")
           .values(state="cancelled"))  # built once, as the next: every completion runs one
_CANCEL_KINDS = _CANCEL.where(Timer.kind.in_(bindparam("kinds", expanding=True)))


def cancel_timers(session: Session, task_ids: list[int], kinds: tuple[str, ...] | None = None) -> None:
    """Cancel the tasks' pending timers (of ``kinds``). Timer rows held in the session are not
    looked through for ones to mark (synchronize_session off): that search of the whole
    session costs more than the statement, and the pending timers are only ever read back from
    the database."""
    if not task_ids:
        return
    params = {"task_ids": list(task_ids)} | ({"kinds": list(kinds)} if kinds else {})
    session.execute(_CANCEL_KINDS if kinds else _CANCEL, params, execution_options={"synchronize_session": False})
