"""Start events that create cases by themselves (Camunda's rule): a message or signal start
starts a case when that message or signal comes, a timer start starts a new case at each
occurrence of its timer.

Deploying a version writes its ProcessStart rows and retires the previous version's, so the
newest version is the one that starts. The timer sweep works like engine.timers: any number of
schedulers claim due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and a
conditional UPDATE on ``next_fire_at``, in the same transaction as the new case, lets exactly
one of them take each occurrence. The next occurrence is the first one after now, so a cycle
missed while nothing ran fires once at the next sweep, not once per missed period."""
from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition,
                                                              DurationTimerEventDefinition,
                                                              TimerEventDefinition)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from sqlalchemy import select, update

from . import expressions
from .bpmn.cron import cron_after, is_quartz_cron
from .bpmn.event_delivery import fire_start_event
from .case_start import open_case
from .errors import DiagramInvalid
from .leases import claim
from .models import Case, ProcessDefinition, ProcessStart

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
RETRY_AFTER = timedelta(seconds=30)
MAX_RETRY_AFTER = timedelta(hours=1)


# --- when a timer start fires -------------------------------------------------------------

def _instant(text: str, tz: ZoneInfo) -> datetime:
    at = datetime.fromisoformat(text)
    return (at if at.tzinfo else at.replace(tzinfo=tz)).astimezone(timezone.utc)


def _period(text: str, start: datetime) -> timedelta:
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
    except Exception as exc:  # the library raises a bare Exception
        raise ValueError(f"{text!r} is not an ISO 8601 duration") from exc
    period = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    if period <= timedelta(0):
        raise ValueError(f"{text!r} is not a positive duration")
    return period


def _iso_cycle(text: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, int | None, timedelta]:
    """(first occurrence, repetitions or None, period) of ``R[n]/[start/]duration[/end]``."""
    head, *parts = text.split("/")
    reps = int(head[1:]) if head[1:] else None
    if reps == 0:
        raise ValueError(f"{text!r} repeats no times")
    if len(parts) == 1:
        period = _period(parts[0], now)
        return now + period, reps, period
    if len(parts) == 2 and parts[0].upper().startswith("P"):  # duration/end
        end = _instant(parts[1], tz)
        period = _period(parts[0], end)
        return end - period, reps, period
    if len(parts) == 2:
        start = _instant(parts[0], tz)
        return start, reps, _period(parts[1], start)
    raise ValueError(f"{text!r} is not an ISO 8601 repeating interval")


def first_occurrence(definition: TimerEventDefinition, text: str, now: datetime,
                     tz: ZoneInfo) -> tuple[datetime, int | None]:
    """(first time it fires, how many times in all or None for ever) of a timer start. A cycle
    whose start lies in the past, like a date in the past, fires once at the next sweep."""
    if isinstance(definition, CycleTimerEventDefinition):
        if is_quartz_cron(text):
            return cron_after(text, now, tz), None
        if not text.upper().startswith("R"):
            raise ValueError(f"{text!r} is neither an ISO 8601 repeating interval nor a Quartz cron")
        first, reps, _ = _iso_cycle(text, now, tz)
        return first, reps
    if isinstance(definition, DurationTimerEventDefinition):
        return now + _period(text, now), 1
    return _instant(text, tz), 1


def next_after(text: str, due: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """The cycle's first occurrence after ``now``; ``due`` is the occurrence that just fired."""
    if is_quartz_cron(text):
        return cron_after(text, now, tz)
    period = _iso_cycle(text, due, tz)[2]
    steps = max(1, math.floor((now - due) / period) + 1)
    return due + steps * period


# --- deploying ----------------------------------------------------------------------------

def _timer_text(definition: TimerEventDefinition) -> str:
    """The timer text as the diagram meant it: our parser turned ISO literals into quoted
    strings and ``${…}`` into its expression (evaluated here without variables); a Quartz cron
    is no expression and stays as written."""
    try:
        return str(expressions.evaluate(definition.expression, {})).strip()
    except expressions.ExpressionError:
        return definition.expression.strip()


def _rows(definition: ProcessDefinition, parsed, now: datetime, tz: ZoneInfo) -> list[ProcessStart]:
    rows = []
    for spec in parsed.spec.task_specs.values():
        if not isinstance(spec, StartEvent):
            continue
        event = spec.event_definition
        row = ProcessStart(process_key=definition.key, definition_id=definition.id, element_id=spec.bpmn_id)
        if isinstance(event, MessageEventDefinition):
            row.kind, row.name = "message", event.name
        elif isinstance(event, SignalEventDefinition):
            row.kind, row.name = "signal", event.name
        elif isinstance(event, TimerEventDefinition):
            row.kind, row.timer = "timer", _timer_text(event)
            try:
                row.next_fire_at, row.fires_left = first_occurrence(event, row.timer, now, tz)
            except ValueError as exc:
                raise DiagramInvalid(f"{spec.bpmn_id}: timer start {row.timer!r}: {exc}",
                                     fields={spec.bpmn_id: [str(exc)]}) from exc
        else:
            continue
        rows.append(row)
    return rows


def register_starts(uow, definition: ProcessDefinition, parsed) -> list[ProcessStart]:
    """At deploy: the new version's message, signal and timer starts replace the previous
    version's. A message start name may start one process only, as in Camunda."""
    s, now = uow.session, uow.clock.now()
    rows = _rows(definition, parsed, now, time_zone(uow))
    for row in rows:
        if row.kind == "message":
            other = s.scalar(select(ProcessStart.process_key).where(
                ProcessStart.kind == "message", ProcessStart.name == row.name, ProcessStart.state == "active",
                ProcessStart.process_key != definition.key).limit(1))
            if other is not None:
                raise DiagramInvalid(f"{row.element_id}: process {other!r} already starts with message {row.name!r}",
                                     fields={row.element_id: [f"message {row.name!r} already starts {other!r}"]})
    s.execute(update(ProcessStart).where(ProcessStart.process_key == definition.key, ProcessStart.state == "active")
              .values(state="retired", lease_owner=None, lease_expires_at=None))
    s.add_all(rows)
    s.flush()
    return rows


def time_zone(uow) -> ZoneInfo:
    """Cron text and times without an offset are in the city's time zone."""
    return ZoneInfo(uow.settings.timezone) if uow.settings is not None else ZoneInfo("UTC")


def active_starts(session, kind: str, name: str) -> list[ProcessStart]:
    """The active message or signal starts of that name, on active definitions."""
    return list(session.scalars(select(ProcessStart).join(
        ProcessDefinition, ProcessDefinition.id == ProcessStart.definition_id).where(
        ProcessStart.kind == kind, ProcessStart.name == name, ProcessStart.state == "active",
        ProcessDefinition.status == "active").order_by(ProcessStart.id)))


def start_case_at(uow, start: ProcessStart, data: dict, actor, *, business_key: str | None = None,
                  detail: dict | None = None) -> Case:
    """Open a case of the start's version beginning at its start event (the caller commits)."""
    definition = uow.session.get(ProcessDefinition, start.definition_id)
    return open_case(uow, definition, data, actor, business_key=business_key,
                     trigger=lambda workflow: fire_start_event(workflow, start.element_id),
                     detail={"start": start.kind, "element": start.element_id} | (detail or {}))


# --- the sweep ----------------------------------------------------------------------------

def claim_due(container, owner: str, limit: int) -> list[int]:
    now = container.clock.now()
    return claim(container, ProcessStart, [ProcessStart.kind == "timer", ProcessStart.state == "active",
                                           ProcessStart.next_fire_at <= now],
                 ProcessStart.next_fire_at, owner, limit, LEASE)


def fire(container, start_id: int, owner: str) -> bool:
    """Open the case of one claimed timer start's due occurrence; True if this call did."""
    try:
        with container.uow() as uow:
            s, now = uow.session, uow.clock.now()
            start = s.get(ProcessStart, start_id)
            due = start.next_fire_at if start is not None else None
            if due is None or start.state != "active" or start.lease_owner != owner or due > now:
                return False
            left = start.fires_left - 1 if start.fires_left is not None else None
            following = None if left == 0 else next_after(start.timer, due, now, time_zone(uow))
            taken = s.execute(update(ProcessStart).where(
                ProcessStart.id == start_id, ProcessStart.state == "active", ProcessStart.next_fire_at == due,
                ProcessStart.lease_owner == owner).values(
                next_fire_at=following, fires_left=left, state="done" if following is None else "active",
                lease_owner=None, lease_expires_at=None, attempts=0, last_error=None)).rowcount
            if taken != 1:
                return False
            start_case_at(uow, start, {}, None, detail={"due_at": due.isoformat()})
            uow.commit()
            return True
    except Exception as exc:  # the case and the row's update rolled back; record why, retry later
        log.exception("timer start %s failed", start_id)
        _record_failure(container, start_id, exc)
        return False


def _record_failure(container, start_id: int, exc: Exception) -> None:
    with container.uow() as uow:
        start = uow.session.get(ProcessStart, start_id)
        if start is None or start.state != "active":
            return
        start.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        backoff = RETRY_AFTER * 2 ** min(max(start.attempts - 1, 0), 10)
        start.lease_expires_at = uow.clock.now() + min(backoff, MAX_RETRY_AFTER)
        uow.commit()


def sweep(container, owner: str, batch: int = 50) -> int:
    """Start a case for every due timer-start occurrence; returns how many this process started."""
    started = 0
    while True:
        ids = claim_due(container, owner, batch)
        started += sum(fire(container, start_id, owner) for start_id in ids)
        if len(ids) < batch:
            return started
