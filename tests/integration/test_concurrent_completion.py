"""Twenty people complete the same task at the same moment: one wins, nineteen get 409, and
the audit trail records one completion (run on SQLite and, in CI, on PostgreSQL)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from engine import audit, services
from engine.models import AuditEvent, Task
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user

N = 20


def test_twenty_concurrent_completions_one_wins(app, container):
    make_org_tree(container)
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    citizen = make_user(container, "zhang", "citizen")
    for i in range(N):
        make_user(container, f"disp{i}", "dispatcher", org_unit="CITY")
    with container.uow() as uow:
        case = services.start_case(uow, "streetlight_repair", {"title": "灯", "location": "路"}, citizen)
    task_id = case["tasks"][0]["id"]
    users = [ApiUser(app.test_client(), f"disp{i}") for i in range(N)]

    barrier, statuses = threading.Barrier(N), []

    def complete(user: ApiUser) -> None:
        barrier.wait()
        resp = user.post(f"/tasks/{task_id}/complete", {"data": {"valid": True, "department": "D-EAST-CG"}})
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=complete, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(statuses) == [200] + [409] * (N - 1)
    with container.session_factory() as s:
        completions = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task.completed", AuditEvent.task_id == task_id))
        handle_rows = s.scalar(select(func.count()).select_from(Task).where(
            Task.case_id == case["id"], Task.element_id == "Task_handle"))
        assert audit.verify(s).ok  # concurrent writers never fork the chain
    assert completions == 1 and handle_rows == 1
