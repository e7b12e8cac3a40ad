"""A timer firing takes its case's lock before its own row, in the order a completion takes
them (engine/services/common.visible_task with lock_case). The other order deadlocks on PostgreSQL when a timer
falls due while its case's step is being completed: one side is rolled back, a completion as a
409, a timer as a failed attempt that, repeated, opens an incident with no fault behind it."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text, update

from engine import services
from engine.models import Timer
from engine.timers import claim_due, fire
from tests.conftest import DATA, ON_POSTGRES
from tests.factories.directory import make_org_tree, make_user

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite locks the whole database: no row order to get wrong")


def test_a_firing_timer_waits_on_its_case_before_it_locks_its_own_row(container):
    make_org_tree(container)
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("t.bpmn", (DATA / "boundary_timer.bpmn").read_bytes())], None)
        case = services.start_case(uow, "quick_escalation", {}, citizen)
    with container.uow() as uow:
        timer_id = uow.session.scalar(select(Timer.id).where(Timer.case_id == case["id"]))
        uow.session.execute(update(Timer).where(Timer.id == timer_id).values(fire_at=container.clock.now()))
        uow.commit()
    assert claim_due(container, "sweeper", 10) == [timer_id]

    completion = container.engine.connect()  # stands for a completion holding its case's lock
    completion.begin()
    completion.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case["id"]})
    fired: list[bool] = []
    firing = threading.Thread(target=lambda: fired.append(fire(container, timer_id, "sweeper")))
    firing.start()
    firing.join(1.0)  # the firing is now waiting for the case
    try:
        completion.execute(text("SET LOCAL lock_timeout = '3s'"))
        # the completion goes on to cancel the case's timers: their rows must still be free
        completion.execute(text("UPDATE timers SET last_error = 'seen' WHERE id = :id"), {"id": timer_id})
        completion.rollback()
    finally:
        completion.close()
        firing.join(30)
    assert fired == [True]
