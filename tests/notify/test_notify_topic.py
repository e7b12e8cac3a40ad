"""The BPMN topic civicflow.notify: examples/pavement_advice.bpmn (短信柔性劝导) sends its SMS as
a step, through the built-in worker and the outbox."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine import services
from engine.models import Task
from notifications.delivery import deliver_due
from notifications.notify_worker import run_notify_tasks
from tests.factories.directory import make_org_tree, make_user

DIAGRAM = Path(__file__).resolve().parents[2] / "examples" / "pavement_advice.bpmn"


def test_the_diagram_sends_the_advice_sms_as_a_step(wired, sms):
    make_org_tree(wired)
    make_user(wired, "qian", "inspector", org_unit="D-EAST")
    operator = make_user(wired, "chen", "operator", org_unit="CITY")
    with wired.uow() as uow:
        services.deploy(uow, [("p.bpmn", DIAGRAM.read_bytes())], None)
    with wired.uow() as uow:
        case = services.start_case(uow, "pavement_advice", {"place": "中山路12号", "notify_phone": "13700137000"}, operator)
    assert run_notify_tasks(wired, "test-owner") == 1
    assert run_notify_tasks(wired, "test-owner") == 0
    deliver_due(wired, "test-owner")
    assert sms.texts == [("13700137000", "【市民服务】您好，中山路12号门前人行道有物品占道，请于今日18时前自行清理，感谢配合。")]
    with wired.session_factory() as s:
        assert s.scalars(select(Task.name).where(Task.case_id == case["id"], Task.state == "open")).all() == ["复查"]
