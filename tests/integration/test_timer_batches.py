"""A claim's deadline warnings fire together (issue #17 §4): warnings due at once on several
cases each write their audit row and their notification exactly once, the audit chains still
verify, and a deadline due among them (which escalates) fires on its own as before."""
from __future__ import annotations

from sqlalchemy import func, select

from engine import audit, services, timers
from engine.models import AuditEvent, Timer
from notifications.models import InAppNotification
from tests.conftest import DATA
from tests.factories.directory import make_org_tree, make_user


def _cases(container, citizen: int, n: int) -> list[dict]:
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    out = []
    for i in range(n):
        with container.uow() as uow:
            out.append(services.start_case(uow, "streetlight_repair", {"title": f"灯{i}", "location": "路"}, citizen))
    return out


def _count(s, model, *where) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where))


def test_warnings_due_together_on_several_cases_each_fire_once(container, clock):
    make_org_tree(container)
    citizen = make_user(container, "zhang", "citizen")
    wang = make_user(container, "wang", "dispatcher")  # the first step's one candidate
    cases = _cases(container, citizen, 3)
    with container.uow() as uow:
        for case in cases:
            uow.session.add_all(Timer(case_id=case["id"], task_id=case["tasks"][0]["id"], kind="sla-warn",
                                      fire_at=clock.now()) for _ in range(timers.BATCH + 5))
        uow.session.add(Timer(case_id=cases[0]["id"], task_id=cases[0]["tasks"][0]["id"], kind="sla-due",
                              fire_at=clock.now()))
        uow.commit()
    warnings = 3 * (timers.BATCH + 5)
    assert timers.sweep(container, "test", batch=1000) == warnings + 1
    assert timers.sweep(container, "test") == 0  # fired once: nothing is left to fire
    with container.session_factory() as s:
        assert _count(s, Timer, Timer.fire_at <= clock.now(), Timer.state != "fired") == 0
        per_case = dict(s.execute(select(AuditEvent.case_id, func.count()).where(
            AuditEvent.action == "task.sla_warning").group_by(AuditEvent.case_id)).all())
        assert per_case == {case["id"]: timers.BATCH + 5 for case in cases}
        assert _count(s, AuditEvent, AuditEvent.action == "task.overdue") == 1
        assert _count(s, InAppNotification, InAppNotification.user_id == wang,
                      InAppNotification.message == "sla_warning") == warnings
        assert audit.verify(s).ok
