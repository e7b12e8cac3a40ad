"""Digests: a dispatcher who may claim many new tasks gets one e-mail listing them after the
digest window, not one per task; a lone task's e-mail goes out as itself; the in-app
notifications come at once."""
from __future__ import annotations

import pytest

from engine import services
from notifications.delivery import deliver_due
from notifications.digest import release_due
from tests.conftest import DATA
from tests.factories.directory import make_org_tree, make_user


@pytest.fixture
def dispatcher(wired):
    make_org_tree(wired)
    make_user(wired, "root", "admin")
    citizen = make_user(wired, "zhang", "citizen")
    wang = make_user(wired, "wang", "dispatcher", org_unit="CITY")
    with wired.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    with wired.uow() as uow:
        from notifications.inbox import set_preferences
        set_preferences(uow, wang, "wang@example.cn", None, [])
    return citizen


def _report(container, citizen: int, title: str) -> str:
    with container.uow() as uow:
        return services.start_case(uow, "streetlight_repair", {"title": title, "location": "和平路"}, citizen)["number"]


def _drain(container) -> None:
    release_due(container, "test")
    deliver_due(container, "test")


def _to_wang(smtp) -> list:
    return [m for m in smtp.messages if m["To"] == "wang@example.cn"]


def test_several_claimable_tasks_in_the_window_become_one_email(wired, dispatcher, smtp, clock):
    numbers = [_report(wired, dispatcher, f"路灯不亮{i}") for i in range(3)]
    _drain(wired)
    assert _to_wang(smtp) == []
    with wired.uow() as uow:
        from notifications.inbox import list_notifications
        wang = services.list_users(uow, None, role="dispatcher")[0]["id"]
        assert list_notifications(uow, wang)["unread"] == 3

    clock.advance(minutes=11)
    _drain(wired)
    [mail] = _to_wang(smtp)
    assert mail["Subject"] == "您有 3 项新的待办"
    text = mail.get_body(("plain",)).get_content()
    assert all(f"新的待办：分拨（{n}）" in text for n in numbers)
    _drain(wired)
    assert len(_to_wang(smtp)) == 1


def test_a_lone_claimable_task_is_mailed_as_itself_after_the_window(wired, dispatcher, smtp, clock):
    number = _report(wired, dispatcher, "路灯不亮")
    clock.advance(minutes=11)
    _drain(wired)
    [mail] = _to_wang(smtp)
    assert mail["Subject"] == f"新的待办：分拨（{number}）"
