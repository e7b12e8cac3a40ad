"""Each timer fires in its own transaction: a failing one rolls back alone (its effects and its
events with it), is recorded and retried; the others fire."""
from __future__ import annotations


from sqlalchemy import func, select

from engine import audit, services, timers
from engine.models import AuditEvent, Timer
from tests.conftest import DATA
from tests.factories.directory import make_org_tree, make_user


def test_one_failing_timer_does_not_hold_back_the_others(container, clock, monkeypatch):
    make_org_tree(container)
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    with container.uow() as uow:
        case = services.start_case(uow, "streetlight_repair", {"title": "灯", "location": "路"}, citizen)
    task_id = case["tasks"][0]["id"]
    with container.uow() as uow:
        uow.session.add_all(Timer(case_id=case["id"], task_id=task_id, kind="sla-warn", fire_at=clock.now())
                            for _ in range(10))
        uow.commit()
    with container.session_factory() as s:
        ids = sorted(s.scalars(select(Timer.id).where(Timer.kind == "sla-warn", Timer.fire_at <= clock.now())))
    bad = ids[3]
    real = timers.HANDLERS["sla-warn"]

    def flaky(uow, timer, now):
        real(uow, timer, now)  # writes its audit row and event first, then fails: both must vanish
        if timer.id == bad:
            raise RuntimeError("gateway down")

    monkeypatch.setitem(timers.HANDLERS, "sla-warn", flaky)
    assert timers.sweep(container, "test") == 9
    with container.session_factory() as s:
        failed = s.get(Timer, bad)
        assert (failed.state, failed.attempts, failed.last_error) == ("pending", 1, "RuntimeError: gateway down")
        warned = [e.detail["timer_id"] for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.sla_warning"))]
        assert sorted(warned) == [i for i in ids if i != bad]
        assert audit.verify(s).ok

    monkeypatch.setitem(timers.HANDLERS, "sla-warn", real)
    clock.advance(seconds=31)  # past the retry delay
    assert timers.sweep(container, "test") == 1
    with container.session_factory() as s:
        assert s.get(Timer, bad).state == "fired"
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task.sla_warning")) == 10
