"""Where a KPI query reads per-case facts from: the stored row of each case that has not changed
since it was written, and a fresh computation for each case that has. So a KPI is always "as of
the data" (docs/kpis.md), and costs a sum over one short row per case plus the cases changed
since the last fold.

Triggers (migration 0014) add a case to ``kpi_dirty_cases`` in the same transaction as any
change to its case row, its step rows or its merge link, whichever code path makes it; the
writers themselves run no extra statement. :func:`fold` rewrites the stored rows of listed
cases and unlists them, in one transaction; the scheduler job :func:`fold_job` calls it."""
from __future__ import annotations

import time
from functools import lru_cache

from sqlalchemy import bindparam, delete, exists, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from ..models import Case, KpiCaseFacts, KpiDirtyCase
from .cohort import Window
from .facts import COLUMNS, case_facts

F, D, CASES = KpiCaseFacts.__table__, KpiDirtyCase.__table__, Case.__table__
RECEIVED_FROM, RECEIVED_TO = (bindparam(name, type_=CASES.c.created_at.type)
                              for name in ("received_from", "received_to"))
BATCH = 500          # cases per fold transaction: short, so a writer waits little on a listed row
JOB_BUDGET_S = 10.0  # one scheduler run folds batches for at most this long


def current_facts(window: Window) -> tuple[list[Subquery], dict]:
    """The facts of every case received in the window's range, as of the data: two subqueries,
    the stored rows of the unlisted cases and the fresh computation of the listed ones, with the
    columns of engine.kpis.facts.COLUMNS, the ``bucket`` the case falls in and its local
    ``received_day`` and ``completed_day`` (named here for the caller's sums, which use them
    several times: SQLite computes them once per case, PostgreSQL, which merges the stored part
    into the sums, for every use, an interval added each time); and the parameters to execute
    them with."""
    # NOT EXISTS, not NOT IN: PostgreSQL hashes a NOT IN list only while it fits in work_mem,
    # and compares each row with the whole list otherwise (every case, after migration 0014)
    stored = select(*[F.c[name] for name in COLUMNS], *_placed(window, F)).where(
        F.c.created_at >= RECEIVED_FROM, F.c.created_at < RECEIVED_TO, ~exists().where(D.c.case_id == F.c.case_id))
    fresh = _fresh(window.dialect)
    parts = [stored.subquery("stored"), select(*fresh.c, *_placed(window, fresh)).subquery("listed")]
    return parts, {"received_from": window.buckets[0].start_at, "received_to": window.buckets[-1].end_at}


@lru_cache(maxsize=None)
def _fresh(dialect: str):
    """The facts of the listed cases received in the range: built once, being most of the
    statement and the same for every request."""
    return case_facts(dialect, CASES.c.id.in_(select(D.c.case_id)), CASES.c.created_at >= RECEIVED_FROM,
                      CASES.c.created_at < RECEIVED_TO).subquery("fresh")


def _placed(window: Window, facts) -> list:
    return [window.bucket(facts.c.created_at).label("bucket"),
            window.day_number(facts.c.created_at).label("received_day"),
            window.day_number(facts.c.completed_at).label("completed_day")]


def fold(session: Session, limit: int = BATCH) -> int:
    """Rewrite the stored facts of up to ``limit`` listed cases and unlist them; returns how
    many were taken. Safe beside writers and other folds: a row a writer has just listed (and
    so still locks) is skipped until that writer commits."""
    claim = select(D.c.case_id).order_by(D.c.case_id).limit(limit).with_for_update(skip_locked=True)
    ids = list(session.scalars(delete(D).where(D.c.case_id.in_(claim)).returning(D.c.case_id)))
    if ids:
        dialect = session.get_bind().dialect.name
        session.execute(delete(F).where(F.c.case_id.in_(ids)))
        session.execute(insert(F).from_select(COLUMNS, case_facts(dialect, CASES.c.id.in_(ids))))
    return len(ids)


def fold_job(container) -> int:
    """Scheduler job: fold listed cases batch by batch, each batch its own transaction, until
    none is left or the run's time budget is spent. Returns how many cases were folded."""
    total, started = 0, time.monotonic()
    while time.monotonic() - started < JOB_BUDGET_S:
        with container.uow() as uow:
            done = fold(uow.session)
            uow.commit()
        total += done
        if done < BATCH:
            break
    return total
