"""What the inbox page filters, sorts and shows beside each task: the deadline state, the
working hours left on the calendar, the urge (督办) mark, and the case's process and category.
Plain queries on the tasks, cases and supervision tables; no workflow is ever loaded."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, union_all

from ..calendar import WorkCalendar
from ..errors import InvalidInput
from ..models import Case, ProcessDefinition, SupervisionItem, Task, User
from ..models.cases import TASK_OPEN_STATES, WAITING_IN_QUEUE
from ..permissions import candidate_task_ids, inbox_clause, queues_of
from .common import load_actor

SLA_STATES = ("ok", "warning", "overdue")
SORTS = ("priority", "due", "created")
FILTER_KEYS = ("scope", "process_key", "category", "district", "sla_state", "due_today", "overdue", "sort")
_TEXT_KEYS = ("process_key", "category", "district")
_FLAGS = ("due_today", "overdue")
_TRUE, _FALSE = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")


def clean_filter(raw: Mapping, scopes: tuple[str, ...]) -> dict:
    """The inbox filter as ``list_tasks`` keywords, from a query string, a form or JSON: empty
    values dropped, flags made booleans. Unknown keys or values are InvalidInput per field."""
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for key, value in raw.items():
        if key not in FILTER_KEYS:
            errors[key] = [f"unknown filter; one of {', '.join(FILTER_KEYS)}"]
        elif key in _FLAGS:
            text = str(value).lower() if not isinstance(value, bool) else ("1" if value else "")
            if text not in _TRUE + _FALSE:
                errors[key] = ["true or false"]
            elif text in _TRUE:
                out[key] = True
        elif value in (None, ""):
            continue
        elif not isinstance(value, str) or len(value) > 128:
            errors[key] = ["text of at most 128 characters"]
        elif key in _TEXT_KEYS:
            out[key] = value
        else:
            allowed = {"scope": scopes, "sla_state": SLA_STATES, "sort": SORTS}[key]
            if value not in allowed:
                errors[key] = [f"one of {', '.join(allowed)}"]
            else:
                out[key] = value
    if errors:
        raise InvalidInput("bad inbox filter", fields=errors)
    return out


def sla_clause(state: str, now: datetime):
    """SQL twin of ``queries.sla_state``: overdue after the deadline, warning from the warning."""
    overdue = and_(Task.due_at.is_not(None), Task.due_at < now)
    warning = and_(Task.warn_at.is_not(None), Task.warn_at <= now)
    return {"overdue": overdue, "warning": and_(~overdue, warning),
            "ok": and_(or_(Task.due_at.is_(None), Task.due_at >= now),
                       or_(Task.warn_at.is_(None), Task.warn_at > now))}[state]


def due_today_clause(now: datetime, cal: WorkCalendar):
    """Due between midnight and midnight of today in the calendar's time zone."""
    start = datetime.combine(now.astimezone(cal.tz).date(), time(0), tzinfo=cal.tz)
    return and_(Task.due_at >= start, Task.due_at < start + timedelta(days=1))


def ordering(sort: str, t=Task) -> tuple:
    """``priority``: highest first, then the nearest deadline; ``due``: nearest deadline first
    (none last); ``created``: newest first. Task id breaks ties so pages never overlap. ``t``:
    where the columns are (the tasks table, or a subquery of its ordering columns)."""
    due = (t.due_at.is_(None), t.due_at)
    return {"priority": (t.priority.desc(), *due, t.id), "due": (*due, t.priority.desc(), t.id),
            "created": (t.created_at.desc(), t.id.desc())}[sort]


def inbox_page(user: User, mine: bool, filters: list, sort: str, limit: int, offset: int):
    """A select of one page of the ids of the tasks waiting for the user (unclaimed, the user a
    candidate) and, with ``mine``, those claimed by them, in ``sort`` order.

    A UNION ALL of short branches, each its own first ``offset + limit`` rows in order: one per
    queue the user may take from (a range of ``ix_tasks_queue_order`` in the default order), the
    tasks in no queue through their candidate rows, and the user's own. Their candidate rows
    matched first and sorted after cost 26 ms a page at 1,000,000 tasks (bench/RESULTS.md)."""
    t = Task.__table__.c  # Core columns: the ORM's coercion of each expression cost more than the query

    def branch(*where):
        return select(t.id, t.priority, t.due_at, t.created_at).where(*filters, *where) \
            .order_by(*ordering(sort, t)).limit(offset + limit).subquery()

    keys, everywhere = queues_of(user)
    branches = [branch(WAITING_IN_QUEUE, t.queue == key) for key in keys]
    branches += [branch(WAITING_IN_QUEUE, t.queue.startswith(f"{role}@", autoescape=True)) for role in everywhere]
    branches.append(branch(t.state == "open", t.assignee_id.is_(None),
                           t.id.in_(candidate_task_ids(user, unqueued=True))))
    if mine:
        branches.append(branch(t.state.in_(TASK_OPEN_STATES), t.assignee_id == user.id))
    page = union_all(*(select(*b.c) for b in branches)).subquery()
    return select(page.c.id).order_by(*ordering(sort, page.c)).limit(limit).offset(offset)


def hours_left(due_at: datetime | None, now: datetime, cal: WorkCalendar) -> float | None:
    """Working hours until the deadline on the calendar; negative once overdue."""
    if due_at is None:
        return None
    if due_at >= now:
        return round(cal.working_time_between(now, due_at).total_seconds() / 3600, 1)
    return -round(cal.working_time_between(due_at, now).total_seconds() / 3600, 1)


def category_names(definition: ProcessDefinition) -> dict[str, str]:
    """Category code → name, from the start form's enum as the diagram declares it."""
    for field in (definition.summary.get("start_form") or {}).get("fields", []):
        if field.get("name") == "category":
            return {str(c[0]): str(c[1] if len(c) > 1 and c[1] else c[0]) for c in field.get("choices", [])}
    return {}


def all_category_names(session) -> dict[str, str]:
    """Category code → name across the active processes (for views spanning processes)."""
    names: dict[str, str] = {}
    for definition in session.scalars(select(ProcessDefinition).where(ProcessDefinition.status == "active")
                                      .order_by(ProcessDefinition.version)):
        names |= category_names(definition)
    return names


# Built once, in Core, as every inbox page runs them (the ORM's work per statement cost more
# than the statements here: bench/RESULTS.md, inbox).
_items, _cases = SupervisionItem.__table__, Case.__table__
_CASE_COLUMNS = select(_cases.c.id, _cases.c.definition_id, _cases.c.process_key, _cases.c.category,
                       _cases.c.district).where(_cases.c.id.in_(bindparam("ids", expanding=True)))
_URGE_COUNTS = (select(_items.c.case_id, func.count(), func.max(_items.c.id))
                .where(_items.c.case_id.in_(bindparam("ids", expanding=True)), _items.c.kind == "urge",
                       _items.c.resolved_at.is_(None)).group_by(_items.c.case_id))
_URGES = select(_items.c.id, _items.c.created_at, _items.c.reason).where(_items.c.id.in_(bindparam("ids", expanding=True)))


def add_inbox_columns(uow, rows: list[dict], now: datetime, cal: WorkCalendar) -> list[dict]:
    """Each row gains ``working_hours_left``, ``urged`` ({count, last_at, reason} or None) and its
    case's ``process_key``, ``process_name``, ``category``, ``category_name`` and ``district``.
    The case columns are read alone (not the case's state and data); a deployed version's names
    never change, so they come from the per-process cache."""
    session = uow.session
    case_ids = sorted({r["case_id"] for r in rows})
    if not case_ids:
        return rows
    cases = {c.id: c for c in session.execute(_CASE_COLUMNS, {"ids": case_ids})}
    definitions = {i: uow.cache.get_or_load(("definition-labels", i), lambda i=i: _labels(session, i))
                   for i in {c.definition_id for c in cases.values()}}
    urges = _open_urges(session, case_ids)
    for row in rows:
        case = cases[row["case_id"]]
        process_name, categories = definitions[case.definition_id]
        row.update(working_hours_left=hours_left(row["due_at"], now, cal), process_key=case.process_key,
                   process_name=process_name or case.process_key, category=case.category,
                   category_name=categories.get(case.category or "", case.category), district=case.district,
                   urged=urges.get(case.id))
    return rows


def _labels(session, definition_id: int) -> tuple[str | None, dict[str, str]]:
    """A deployed version's process name and category names."""
    definition = session.get(ProcessDefinition, definition_id)
    return definition.name, category_names(definition)


def _open_urges(session, case_ids: list[int]) -> dict[int, dict]:
    """Case id → {count, last_at, reason} of its unresolved urges (督办催办), for the cases that have any."""
    counts = {item_id: (case_id, count) for case_id, count, item_id in session.execute(_URGE_COUNTS, {"ids": case_ids})}
    if not counts:
        return {}
    return {counts[i.id][0]: {"count": counts[i.id][1], "last_at": i.created_at, "reason": i.reason}
            for i in session.execute(_URGES, {"ids": list(counts)})}


def filter_choices(uow, actor_id: int) -> dict:
    """The processes, categories and districts among the user's inbox tasks (mine and my
    groups'), for the filter's drop-downs: ``{processes: [{value, name}], categories: […],
    districts: [{value, name}]}``, each sorted by value. Read from the tasks' own copies of
    their case's columns; names from each process's newest deployed version."""
    s = uow.session
    user = load_actor(s, actor_id)
    rows = s.execute(select(Task.process_key, Task.category, Task.district).distinct()
                     .where(Task.state.in_(TASK_OPEN_STATES), inbox_clause(user))).all()
    keys = {key for key, _, _ in rows if key}
    newest = {d.key: d for d in s.scalars(select(ProcessDefinition).where(ProcessDefinition.key.in_(keys))
                                          .order_by(ProcessDefinition.version))}
    labels = {key: category_names(d) for key, d in newest.items()}
    processes, categories, districts = {}, {}, {}
    for key, category, district in rows:
        if key:
            processes[key] = (newest[key].name if key in newest else None) or key
        if category:
            categories[category] = labels.get(key, {}).get(category, category)
        if district:
            districts[district] = district
    return {k: [{"value": v, "name": n} for v, n in sorted(d.items())]
            for k, d in (("processes", processes), ("categories", categories), ("districts", districts))}
