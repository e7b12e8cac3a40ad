"""`kpis`: 1,000,000 event-loop cases received over twelve months (--quick: 50,000), bulk-loaded
into a fresh SQLite file and, when PostgreSQL is configured (DATABASE_URL or
CIVICFLOW_BENCH_PG), a fresh PostgreSQL database; then p50/p95 of the KPI table through the
service the API calls (engine.services.kpis.kpis): last month by district, by org unit and by
category, and the twelve-month trend by district, read from the stored per-case facts with
some cases changed since the last fold, and last month by district computed directly (every
case listed as changed). First, what the facts' triggers add to each state change: the main
path through the engine on the schema before them (0013) and with them, side by side."""
from __future__ import annotations

import os
import shutil
import time
from contextlib import ExitStack
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import command
from sqlalchemy import event, func, select, text

from engine import services
from engine.database import alembic_config
from engine.kpis.store import fold_job
from engine.models import Case
from engine.services.kpis import kpis

from .common import Report, container_for, latency_summary, scratch_database
from .kpi_cases import CASE_COLUMNS, DEPARTMENTS, LINK_COLUMNS, TASK_COLUMNS, CaseMaker, Units, epoch_seconds
from .main_path import PROCESS_DIR, STEPS, run_engine_case, setup_directory

CHUNK = 10_000
DISTRICTS = 12
CHANGED = 100  # cases changed since the scheduler's last fold (it runs every few seconds)
TZ = ZoneInfo("Asia/Shanghai")


def _databases() -> list[str]:
    pg = os.environ.get("DATABASE_URL", "").startswith("postgresql") or "CIVICFLOW_BENCH_PG" in os.environ
    return ["sqlite", "postgresql"] if pg else ["sqlite"]


def _setup(container) -> tuple[Units, int, int]:
    """The org tree (city, 12345 centre, districts with six departments and two streets each),
    the bundled event-loop diagram and a city-wide leader. Returns units, definition id, leader id."""
    tree = [("CITY", "示范市", "city", None), ("CITY-12345", "市12345热线中心", "department", "CITY")]
    for d in range(1, DISTRICTS + 1):
        code = f"D{d:02d}"
        tree.append((code, f"第{d}区", "district", "CITY"))
        tree += [(f"{code}-{suffix}", f"第{d}区{suffix}局", "department", code) for suffix in DEPARTMENTS.values()]
        tree += [(f"{code}-S{s}", f"第{d}区{s}街道", "street", code) for s in (1, 2)]
    for code, name, kind, parent in tree:
        with container.uow() as uow:
            services.create_org_unit(uow, code, name, kind, parent, None)
    files = [(f.name, f.read_bytes()) for f in sorted(PROCESS_DIR.glob("*.bpmn")) + sorted(PROCESS_DIR.glob("*.dmn"))]
    with container.uow() as uow:
        definition, _ = services.deploy(uow, files, None)
    with container.uow() as uow:
        leader = services.create_user(uow, "leader", "bench-password", ["leader"], "CITY")
    with container.engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM org_units")).all())
    return Units(ids, [f"D{d:02d}" for d in range(1, DISTRICTS + 1)]), definition["id"], leader["id"]


class Loader:
    """Bulk inserts on the driver's own connection: executemany on SQLite, COPY on PostgreSQL.
    The connection is closed afterwards, not returned to the pool with its session settings."""

    def __init__(self, container) -> None:
        self.dialect = container.engine.dialect.name
        self.raw = container.engine.raw_connection()
        if self.dialect == "postgresql":
            with self.raw.cursor() as cur:
                cur.execute("SET TIME ZONE 'UTC'")  # the rows' datetimes are UTC text

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            cur = self.raw.cursor()
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
            return
        with self.raw.driver_connection.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def begin(self) -> None:
        if self.dialect == "sqlite":
            self.raw.cursor().execute("BEGIN")

    def commit(self) -> None:
        if self.dialect == "sqlite":
            self.raw.cursor().execute("COMMIT")
        else:
            self.raw.commit()

    def finish(self) -> None:
        if self.dialect == "postgresql":
            with self.raw.cursor() as cur:
                for table in ("cases", "tasks", "case_links"):
                    cur.execute(f"SELECT setval('{table}_id_seq', (SELECT coalesce(max(id), 1) FROM {table}))")
                cur.execute("ANALYZE")
            self.raw.commit()
        self.raw.invalidate()


def _load(containers: dict, total: int, now: datetime) -> tuple[float, dict]:
    """The same generated rows into every database; returns the seconds it took and the
    leader's id per database."""
    setups = {kind: _setup(c) for kind, c in containers.items()}
    units, definition_id, _ = next(iter(setups.values()))
    start = now - timedelta(days=365)
    maker = CaseMaker(units, definition_id, epoch_seconds(start), epoch_seconds(now), total)
    loaders = {kind: Loader(c) for kind, c in containers.items()}
    t0 = time.perf_counter()
    for first in range(1, total + 1, CHUNK):
        cases, tasks, links = maker.chunk(first, min(first + CHUNK, total + 1))
        for loader in loaders.values():
            loader.begin()
            loader.write("cases", CASE_COLUMNS, cases)
            loader.write("tasks", TASK_COLUMNS, tasks)
            loader.write("case_links", LINK_COLUMNS, links)
            loader.commit()
    for loader in loaders.values():
        loader.finish()
    return time.perf_counter() - t0, {kind: s[2] for kind, s in setups.items()}


def _write_cost(kind: str, cases: int) -> dict:
    """The main path (start + 6 completions) through the engine on the schema before the KPI
    triggers (0013) and with them (head), case by case in turn: statements sent and ms per step."""
    with ExitStack() as stack:
        runs = {}
        for schema in ("0013", "head"):
            url = stack.enter_context(scratch_database(kind))
            if schema != "head":
                command.downgrade(alembic_config(url), schema)
            container = container_for(url)
            stack.callback(container.engine.dispose)
            users = setup_directory(container)
            run_engine_case(container, users)  # warm up
            runs[schema] = (container, users, _statement_counter(container.engine), [0.0])
        for _ in range(cases):
            for container, users, _, seconds in runs.values():
                t0 = time.perf_counter()
                run_engine_case(container, users)
                seconds[0] += time.perf_counter() - t0
        steps = cases * (len(STEPS) + 1)
        return {schema: {"statements_per_step": round(statements[0] / steps, 2),
                         "ms_per_step": round(seconds[0] / steps * 1000, 2)}
                for schema, (_, _, statements, seconds) in runs.items()}


def _statement_counter(engine) -> list[int]:
    count = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _one_more(*_):
        count[0] += 1
    return count


def _catch_up(container) -> tuple[int, float]:
    """Fold every listed case, as the scheduler does after migration 0014 or a bulk load; then
    leave the database as a few quiet minutes would (vacuumed and checkpointed), so that the
    aftermath of the bulk load does not run during the measurements."""
    total, t0 = 0, time.perf_counter()
    while folded := fold_job(container):
        total += folded
    fold_s = time.perf_counter() - t0
    raw = container.engine.raw_connection()  # outside a transaction, as both statements need
    try:
        if container.engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True
            raw.cursor().execute("VACUUM ANALYZE")
            raw.cursor().execute("CHECKPOINT")
        else:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.invalidate()  # back in the pool, it would run later transactions in autocommit
    return total, fold_s


def _list(container, where: str) -> int:
    """List cases as changed since the last fold, as the triggers do when they change."""
    with container.engine.begin() as conn:
        return conn.execute(text(f"INSERT INTO kpi_dirty_cases (case_id) SELECT id FROM cases WHERE {where}")).rowcount


def _queries(today: date) -> list[tuple[str, dict, int]]:
    last_month_end = today.replace(day=1) - timedelta(days=1)
    month = dict(from_=last_month_end.replace(day=1), to=last_month_end)
    year = dict(from_=(last_month_end.replace(day=1) - timedelta(days=334)).replace(day=1), to=last_month_end)
    return [("month by district", month | {"group_by": "district"}, 30),
            ("month by org unit", month | {"group_by": "org_unit"}, 10),
            ("month by category", month | {"group_by": "category"}, 10),
            ("12 months by district, period=month", year | {"group_by": "district", "period": "month"}, 5)]


def _measure(container, leader: int, args: dict, samples: int) -> tuple[dict, int]:
    latencies, rows = [], 0
    for i in range(samples + 1):
        t0 = time.perf_counter()
        with container.uow() as uow:
            rows = len(kpis(uow, leader, **args))
        if i:  # the first call warms the caches (calendar, catalogue, parsed statements)
            latencies.append(time.perf_counter() - t0)
    return latency_summary(latencies), rows


def _say(report: Report, kind: str, name: str, fig: dict, rows: int) -> None:
    report.say(f"{kind:10} {name:44} p50 {fig['p50_ms']:8.1f} ms   p95 {fig['p95_ms']:8.1f} ms"
               f"   ({rows} rows, n={fig['n']})")


def _read(report: Report, kind: str, container, leader: int, today: date) -> dict:
    """The queries on the stored facts with CHANGED cases listed, then last month by district
    with every case listed (the direct computation from the step rows)."""
    queries = _queries(today)
    month = queries[0][1]
    with container.engine.connect() as conn:  # cases are numbered in the order they were received
        first_id = conn.scalar(select(func.min(Case.id)).where(
            Case.created_at >= datetime.combine(month["from_"], datetime.min.time(), TZ)))
    changed = _list(container, f"id >= {first_id} AND id < {first_id + CHANGED}")
    out = {"changed_cases": changed}
    for name, args, samples in queries:
        fig, rows = _measure(container, leader, args, samples)
        out[name] = fig | {"rows": rows}
        _say(report, kind, f"{name} ({changed} changed)", fig, rows)
    _list(container, "id NOT IN (SELECT case_id FROM kpi_dirty_cases)")
    fig, rows = _measure(container, leader, month | {"group_by": "district"}, 5)
    out["month by district, direct"] = fig | {"rows": rows}
    _say(report, kind, "month by district, every case listed (direct)", fig, rows)
    return out


def run(quick: bool = False) -> dict:
    total, write_cases = (50_000, 10) if quick else (1_000_000, 40)
    report = Report("kpis", f"civicflow bench kpis{' --quick' if quick else ''}")
    now = datetime.now(timezone.utc)
    kinds = _databases()
    writes = {kind: _write_cost(kind, write_cases) for kind in kinds}
    for kind, cost in writes.items():
        before, after = cost["0013"], cost["head"]
        report.say(f"{kind:10} main path per step: {before['statements_per_step']} → {after['statements_per_step']} "
                   f"statements, {before['ms_per_step']} → {after['ms_per_step']} ms without → with the KPI triggers")
    with ExitStack() as stack:
        urls = {kind: stack.enter_context(scratch_database(kind)) for kind in kinds}
        stack.callback(shutil.rmtree, Path(urls["sqlite"].removeprefix("sqlite:///")).parent)  # ~5 GB
        containers = {kind: container_for(url) for kind, url in urls.items()}
        load_s, leaders = _load(containers, total, now)
        with containers["sqlite"].engine.connect() as conn:
            tasks = conn.scalar(text("SELECT count(*) FROM tasks"))
        report.say(f"loaded {total} cases, {tasks} step rows into {' and '.join(kinds)} in {load_s:.0f} s")
        results: dict = {}
        for kind, container in containers.items():
            folded, fold_s = _catch_up(container)
            report.say(f"{kind:10} folded {folded} listed cases in {fold_s:.0f} s ({folded / fold_s:.0f} cases/s)")
            results[kind] = {"fold_s": round(fold_s, 1)}
        for kind, container in containers.items():
            results[kind] |= _read(report, kind, container, leaders[kind], now.astimezone(TZ).date())
            container.engine.dispose()
    report.figures.update(cases=total, tasks=tasks, load_s=round(load_s, 1), writes=writes, results=results,
                          month_by_district_p95_ms={k: v["month by district"]["p95_ms"] for k, v in results.items()})
    return report.finish()
