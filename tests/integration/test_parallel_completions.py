"""Two people completing the two parallel steps of one case at the same moment: the second waits
for the first's commit and then goes on from what the first left, so both steps are done and
neither is lost. A completion takes the case's lock in a statement of its own before it reads
the case's rows (engine/services/common.visible_task): read in the statement that waited for
the lock, the rows were those from before the first commit, and the second completion
cancelled the step the first had just completed."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from engine import services
from engine.models import Case, Task
from tests.conftest import DATA, ON_POSTGRES
from tests.factories.directory import make_org_tree, make_user

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time: no row lock to wait on")


def test_the_second_of_two_parallel_completions_keeps_the_first(container):
    make_org_tree(container)
    first, second = make_user(container, "zhao", "handler"), make_user(container, "sun", "handler")
    with container.uow() as uow:
        services.deploy(uow, [("p.bpmn", (DATA / "parallel_reclassify.bpmn").read_bytes())], None)
    with container.uow() as uow:
        case = services.start_case(uow, "parallel_reclassify", {"title": "占道"}, first)
    steps = {t["element_id"]: t["id"] for t in case["tasks"]}

    committing, release, outcome = threading.Event(), threading.Event(), {}

    def complete_first() -> None:
        with container.uow() as uow:
            commit = uow.commit

            def held_commit() -> None:  # written, not yet committed: holds the case's lock
                committing.set()
                release.wait(10)
                commit()
            uow.commit = held_commit
            services.complete_task(uow, steps["Task_reclassify"], {"category": "traffic.parking"}, first)

    def complete_second() -> None:
        with container.uow() as uow:
            outcome["second"] = services.complete_task(uow, steps["Task_handle"], {"ok": True}, second)

    one = threading.Thread(target=complete_first)
    one.start()
    assert committing.wait(10)
    two = threading.Thread(target=complete_second)
    two.start()
    two.join(1.0)  # the second now waits for the case
    assert two.is_alive()
    release.set()
    one.join(20)
    two.join(20)

    assert outcome["second"]["case"]["status"] == "completed"
    with container.session_factory() as s:
        states = dict(s.execute(select(Task.element_id, Task.state).where(Task.case_id == case["id"])).all())
        assert states == {"Task_reclassify": "completed", "Task_handle": "completed"}
        assert s.scalar(select(Case.category).where(Case.id == case["id"])) == "traffic.parking"
