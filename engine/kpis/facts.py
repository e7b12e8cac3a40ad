"""One row per case: what happened to it (its facts, as the bits of one integer), its group
columns and when it was completed, computed from its step rows (tasks) and its case row.
docs/kpis.md §2 defines each fact. Nothing here depends on the period asked for, the time zone
or the work calendar, so the same select fills the stored table (engine/kpis/store.py) and
answers for the cases changed since."""
from __future__ import annotations

from sqlalchemy import and_, case, exists, func, literal, or_, select

from ..models import Case, CaseLink, Task
from . import stages
from .local_time import seconds_between

C, T = Case.__table__, Task.__table__
# The facts of docs/kpis.md §2; bit i of a case's ``flags`` is fact i. Stored rows depend on
# this order and on the definitions below: a change to either needs a migration that lists
# every case again (INSERT INTO kpi_dirty_cases SELECT id FROM cases).
CASE_FLAGS = ("voided", "merged", "accepted", "dispatched", "dispatched_in_time", "fed_back", "fed_back_on_time",
              "completed", "completed_on_time", "evaluated", "satisfied", "callback_due", "called_back",
              "resolved", "reopened", "direct")
COLUMNS = ("case_id", "created_at", "district", "category", "process_key", "unit_id", "flags", "completed_at",
           "hours_to_complete")
# what the facts read from the case row (and its merge link), carried beside its step rows
REPORTED = ("id", "created_at", "district", "category", "process_key", "org_unit_id", "status", "closed_at",
            "merged", "decision", "satisfaction")


def _when(condition, value):
    return case((condition, value))


def _reported(where):
    """The cases matching ``where``, with what the facts read from their data and their merge
    link. MATERIALIZED on SQLite: decoded once per case, where inlined SQL re-parses the JSON
    text for every fact that uses it; PostgreSQL reads jsonb cheaply and, inlined, plans from
    the cases table's own statistics."""
    merged = exists().where(CaseLink.case_id == C.c.id)
    return (select(C.c.id, C.c.created_at, C.c.district, C.c.category, C.c.process_key, C.c.org_unit_id,
                   C.c.status, C.c.closed_at, merged.label("merged"),
                   func.coalesce(C.c.data["decision"].as_string(), "").label("decision"),
                   C.c.data["satisfaction"].as_string().label("satisfaction"))
            .where(*where).cte("reported").prefix_with("MATERIALIZED", dialect="sqlite"))


def _step_rows(reported):
    """Each case beside each of its step rows (a case without any: once, with NULLs), and the
    rows that end its three lateness windows: its first department row, its first 核查 row and
    its last passed 核查 row. Window functions, so the step rows are read in one pass."""
    whole_case = {"partition_by": reported.c.id}
    passed = and_(T.c.element_id == stages.VERIFY, T.c.state == "completed")
    return (select(*reported.c, T.c.id.label("row_id"), T.c.element_id, T.c.state, T.c.completed_at, T.c.due_at,
                   func.min(_when(T.c.element_id.in_(stages.DEPARTMENT), T.c.id)).over(**whole_case)
                   .label("dispatched_by_id"),
                   func.min(_when(T.c.element_id == stages.VERIFY, T.c.id)).over(**whole_case).label("fed_back_by_id"),
                   func.max(_when(passed, T.c.id)).over(**whole_case).label("done_by_id"))
            .select_from(reported.outerjoin(T, T.c.case_id == reported.c.id)).subquery("step_rows"))


def _per_case(rows):
    """Per case: the ids that mark its stages, how many rows of some stages it has, and its
    late rows (completed after their deadline, which already allows for paused clocks and
    granted extensions) before dispatch, before the first feedback and up to 办结."""
    r = rows.c

    def stage(*elements: str):
        return r.element_id.in_(elements)

    def late(condition):
        return func.count(_when(and_(condition, r.state == "completed", r.completed_at > r.due_at), 1))

    done = r.state == "completed"
    return (select(
        *[r[name] for name in REPORTED],
        func.min(_when(stage(*stages.DEPARTMENT), r.row_id)).label("first_department_id"),
        func.max(_when(stage(*stages.DEPARTMENT), r.row_id)).label("last_department_id"),
        func.max(r.row_id).label("last_task_id"),
        func.min(_when(stage(stages.VERIFY), r.row_id)).label("first_verify_id"),
        func.max(_when(and_(stage(stages.VERIFY), done), r.row_id)).label("last_verified_id"),
        func.max(_when(and_(stage(stages.VERIFY), done), r.completed_at)).label("verified_at"),
        func.count(_when(stage(stages.VERIFY), 1)).label("verify_rows"),
        func.max(_when(stage(stages.HANDLE), r.row_id)).label("last_handle_id"),
        func.min(_when(stage(stages.UNSATISFIED_REVIEW), r.row_id)).label("first_review_id"),
        func.count(_when(stage(stages.SIGN_FOR), 1)).label("sign_for_rows"),
        func.count(_when(stage(stages.RETURN_REVIEW, stages.CONSULT), 1)).label("detours"),
        func.max(_when(stage(*stages.EVALUATION), r.row_id)).label("last_evaluation_id"),
        func.max(_when(and_(stage(*stages.EVALUATION), done), r.row_id)).label("last_evaluated_id"),
        late(and_(stage(*stages.INTAKE, *stages.DISPATCH), r.row_id < r.dispatched_by_id)).label("late_dispatch"),
        late(and_(stage(*stages.DEPARTMENT), r.row_id < r.fed_back_by_id)).label("late_feedback"),
        late(and_(stage(*stages.DEPARTMENT, stages.VERIFY), r.row_id <= r.done_by_id)).label("late_to_done"),
    ).group_by(*[r[name] for name in REPORTED]).subquery("steps"))


def _outcomes(steps) -> tuple[dict, object, object]:
    """The conditions of docs/kpis.md §2, with the completed condition and completion instant."""
    satisfaction, decision, merged = steps.c.satisfaction, steps.c.decision, steps.c.merged
    accepted = and_(~merged, decision != stages.VOID_DECISION)
    dispatched = and_(accepted, steps.c.first_department_id.is_not(None))
    fed_back = and_(dispatched, steps.c.first_verify_id.is_not(None))
    verified_last = and_(steps.c.last_verified_id.is_not(None), or_(
        steps.c.last_handle_id.is_(None), steps.c.last_handle_id < steps.c.last_verified_id))
    closed_unverified = and_(steps.c.verify_rows == 0, steps.c.status == "completed")
    completed = and_(accepted, or_(verified_last, closed_unverified))
    evaluated = and_(accepted, satisfaction.in_(stages.SATISFACTIONS))
    callback_due = and_(completed, steps.c.last_evaluation_id.is_not(None))
    facts = {
        "voided": and_(~merged, decision == stages.VOID_DECISION),
        "merged": merged,
        "accepted": accepted,
        "dispatched": dispatched,
        "dispatched_in_time": and_(dispatched, steps.c.late_dispatch == 0),
        "fed_back": fed_back,
        "fed_back_on_time": and_(fed_back, steps.c.late_feedback == 0),
        "completed": completed,
        "completed_on_time": and_(completed, steps.c.late_to_done == 0),
        "evaluated": evaluated,
        "satisfied": and_(evaluated, satisfaction.in_(stages.SATISFIED)),
        "callback_due": callback_due,
        "called_back": and_(callback_due, satisfaction.in_(stages.SATISFACTIONS),
                            steps.c.last_evaluated_id == steps.c.last_evaluation_id),
        "resolved": and_(completed, or_(satisfaction.is_(None), satisfaction != "unsatisfied")),
        "reopened": and_(accepted, steps.c.last_handle_id > steps.c.first_review_id),
        "direct": and_(dispatched, steps.c.sign_for_rows == 1, steps.c.detours == 0),
    }
    return facts, completed, case((verified_last, steps.c.verified_at), else_=steps.c.closed_at)


def _bits(conditions: dict):
    """SQL: the integer whose bit i is set when fact CASE_FLAGS[i] holds."""
    return sum((case((conditions[name], 1 << i), else_=0) for i, name in enumerate(CASE_FLAGS)), literal(0))


def case_facts(dialect: str, *where):
    """The per-case select of the cases matching ``where`` (conditions on the cases table), with
    the columns of :data:`COLUMNS`: those of the ``kpi_case_facts`` table."""
    steps = _per_case(_step_rows(_reported(where)))
    department_row, last_row = T.alias("department_row"), T.alias("last_row")
    unit_id = func.coalesce(department_row.c.org_unit_id, steps.c.org_unit_id, last_row.c.org_unit_id)
    facts, completed, completed_at = _outcomes(steps)
    source = (steps.outerjoin(department_row, department_row.c.id == steps.c.last_department_id)
              .outerjoin(last_row, last_row.c.id == steps.c.last_task_id))
    hours = seconds_between(completed_at, steps.c.created_at, dialect) / 3600.0
    return (select(steps.c.id.label("case_id"), steps.c.created_at, steps.c.district, steps.c.category,
                   steps.c.process_key, unit_id.label("unit_id"), _bits(facts).label("flags"),
                   case((completed, completed_at)).label("completed_at"),
                   case((completed, hours), else_=0.0).label("hours_to_complete"))
            .select_from(source))
