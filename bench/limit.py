"""`limit`: the physical limit of a durable engine on the main path. SpiffWorkflow alone, plus
what no durable engine can skip: reload the case's state before each completion, save it after,
and commit the state row once, on the driver's own connection with no ORM. The engine is
measured against this in the same run (`bench engine`'s ``ratio_to_limit``)."""
from __future__ import annotations

import time

from engine.bpmn.serializer import dump_state, load_state

from .common import container_for, scratch_database
from .main_path import STEPS, complete_raw, parsed, started_workflow

PLACEHOLDER = {"sqlite": "?", "postgresql": "%s"}


def _run_case(process, raw, mark: str, case_id: int) -> None:
    """One case: its state row inserted, then per step reload → complete → save → one commit."""
    cur = raw.cursor()
    state = dump_state(started_workflow(process))
    cur.execute(f"INSERT INTO bench_limit_state (id, state) VALUES ({mark}, {mark})", (case_id, state))
    raw.commit()
    for _, element, data in STEPS:
        workflow = load_state(state, process.spec, process.subprocess_specs)
        complete_raw(workflow, element, data)
        state = dump_state(workflow)
        cur.execute(f"UPDATE bench_limit_state SET state = {mark} WHERE id = {mark}", (state, case_id))
        raw.commit()


def measure(kind: str, cases: int) -> float:
    """Completions per second at the limit on ``kind`` (sqlite or postgresql), on a fresh database."""
    process = parsed()
    with scratch_database(kind) as url:
        container = container_for(url)
        raw = container.engine.raw_connection()
        try:
            blob = "BYTEA" if kind == "postgresql" else "BLOB"
            raw.cursor().execute(f"CREATE TABLE bench_limit_state (id INTEGER PRIMARY KEY, state {blob} NOT NULL)")
            raw.commit()
            _run_case(process, raw, PLACEHOLDER[kind], 0)  # warm up
            start = time.perf_counter()
            for case_id in range(1, cases + 1):
                _run_case(process, raw, PLACEHOLDER[kind], case_id)
            elapsed = time.perf_counter() - start
        finally:
            raw.invalidate()
            container.engine.dispose()
    return cases * len(STEPS) / elapsed
