"""Two workers fetch-and-lock the same topic at the same time, each in its own session, on
PostgreSQL: SKIP LOCKED hands every external task to exactly one of them, each completes what it
got without a single 409, every case moves on once, and locks a crashed worker left behind are
fetched again once they expire."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from engine import audit, services
from engine.errors import CivicFlowError
from engine.models import AuditEvent, Case, ExternalTask
from engine.services import external_tasks
from tests.conftest import DATA, ON_POSTGRES
from tests.factories.directory import make_user

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not ON_POSTGRES, reason="SKIP LOCKED needs PostgreSQL (DATABASE_URL)")]

CASES, BATCH = 200, 7
TOPICS = [{"topic_name": "department.sync", "lock_duration_ms": 60_000}]


def _work(container, actor: int, worker_id: str, barrier: threading.Barrier, got: list, errors: list) -> None:
    """Fetch batches and complete each task until a fetch comes back empty."""
    barrier.wait()
    while True:
        with container.uow() as uow:
            batch = external_tasks.fetch_and_lock(uow, actor, worker_id, BATCH, TOPICS)
        if not batch:
            return
        for task in batch:
            try:
                with container.uow() as uow:
                    external_tasks.complete(uow, actor, task["id"], worker_id, {"external_ref": worker_id})
                got.append(task["id"])
            except CivicFlowError as exc:  # a task this worker holds must never be refused
                errors.append((worker_id, task["id"], exc.message))


def _race(container, actor: int) -> dict[str, list[int]]:
    barrier, errors = threading.Barrier(2), []
    got = {"A": [], "B": []}
    threads = [threading.Thread(target=_work, args=(container, actor, w, barrier, got[w], errors)) for w in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads) and errors == []
    return got


def test_two_workers_never_get_the_same_task(container, clock):
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "conformance" / "external_task.bpmn").read_bytes())], None)
    citizen, actor = make_user(container, "zhang", "citizen"), make_user(container, "gateway", "worker")
    for i in range(CASES):
        with container.uow() as uow:
            services.start_case(uow, "licence_sync", {"title": f"执照 {i}", "licence_no": str(i)}, citizen)
    with container.uow() as uow:  # a worker that locks a few tasks and dies
        crashed = [t["id"] for t in external_tasks.fetch_and_lock(
            uow, actor, "crashed", 5, [{"topic_name": "department.sync", "lock_duration_ms": 1_000}])]

    first = _race(container, actor)
    clock.advance(seconds=2)  # the dead worker's locks expire
    second = _race(container, actor)

    done = first["A"] + first["B"] + second["A"] + second["B"]
    assert Counter(done).most_common(1)[0][1] == 1 and len(done) == CASES
    assert first["A"] and first["B"], "both workers should have had a share"
    assert sorted(second["A"] + second["B"]) == sorted(crashed)
    with container.uow() as uow:
        with pytest.raises(CivicFlowError, match="is completed"):  # the late worker is refused
            external_tasks.complete(uow, actor, crashed[0], "crashed", {})
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.status == "completed")) == CASES
        states = Counter(s.scalars(select(ExternalTask.state)))
        assert states == {"completed": CASES}
        completions = [e.detail["external_task"] for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "external_task.completed"))]
        assert sorted(completions) == sorted(done)
        assert audit.verify(s).ok  # concurrent writers never fork the chain
