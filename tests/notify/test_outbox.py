"""The outbox: written with the state change or not at all, retried with backoff, dead-lettered
after N attempts without touching the case, and visible to admins."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import services
from engine.models import Case
from notifications.delivery import backoff, deliver_due
from notifications.models import OutboxMessage
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user


@pytest.fixture
def citizen(wired):
    make_org_tree(wired)
    make_user(wired, "root", "admin")
    make_user(wired, "wang", "dispatcher", org_unit="CITY")
    with wired.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    return make_user(wired, "zhang", "citizen")


def _start(container, citizen: int) -> dict:
    with container.uow() as uow:
        return services.start_case(uow, "streetlight_repair",
                                   {"title": "路灯", "location": "和平路", "phone": "13800138000"}, citizen)


def _rows(container) -> list[OutboxMessage]:
    with container.session_factory() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_rolled_back_change_queues_nothing(wired, citizen):
    def fail(uow, event):
        raise RuntimeError("a later step of the same change fails")

    bus = wired.bus
    wired.bus = type(bus)()
    wired.bus.subscribe("case.started", lambda uow, event: [h(uow, event) for h in bus._in_tx["case.started"]])
    wired.bus.subscribe("case.started", fail)
    with pytest.raises(RuntimeError):
        _start(wired, citizen)
    wired.bus = bus
    assert _rows(wired) == []
    _start(wired, citizen)
    assert [(r.channel, r.status) for r in _rows(wired)] == [("sms", "pending")]


def test_a_failing_gateway_retries_then_dead_letters_without_touching_the_case(wired, citizen, sms, client, clock):
    case = _start(wired, citizen)
    with wired.session_factory() as s:
        before = s.get(Case, case["id"]).version
    sms.fail = True
    for attempt in range(1, 4):
        deliver_due(wired, "test-owner")
        [row] = _rows(wired)
        assert row.attempts == attempt and "503" in row.last_error
        assert row.status == ("dead" if attempt == 3 else "pending")
        deliver_due(wired, "test-owner")  # not due yet: backoff
        assert _rows(wired)[0].attempts == attempt
        clock.advance(seconds=(backoff(attempt) + timedelta(seconds=1)).total_seconds())
    assert len(sms.posts) == 3 and sms.sent == {}
    with wired.session_factory() as s:
        assert s.get(Case, case["id"]).version == before
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "dead")) == 1
    root = ApiUser(client, "root")
    dead = root.get("/notifications/outbox?status=dead").get_json()
    assert dead["counts"] == {"pending": 0, "held": 0, "sent": 0, "digested": 0, "dead": 1} and dead["items"][0]["channel"] == "sms"
    assert ApiUser(client, "wang").get("/notifications/outbox").status_code == 403
    sms.fail = False
    assert root.post(f"/notifications/outbox/{dead['items'][0]['id']}/retry").get_json()["status"] == "pending"
    deliver_due(wired, "test-owner")
    assert [r.status for r in _rows(wired)] == ["sent"] and len(sms.sent) == 1


def test_backoff_doubles_up_to_two_hours():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30) == timedelta(hours=2)


def test_admins_edit_rules_per_process_and_users_opt_out(wired, citizen, client):
    root, zhang = ApiUser(client, "root"), ApiUser(client, "zhang")
    rule = {"process_key": "streetlight_repair", "event": "case.started", "message": "case_accepted",
            "recipients": ["requester"], "channels": ["inapp"]}
    made = root.post("/notifications/rules", rule)
    assert made.status_code == 201, made.get_json()
    assert ApiUser(client, "wang").post("/notifications/rules", rule).status_code == 403
    assert root.post("/notifications/rules", rule | {"channels": ["fax"]}).status_code == 400
    _start(wired, citizen)
    assert _rows(wired) == [] and zhang.get("/notifications?unread=1").get_json()["unread"] == 1
    assert client.delete(f"/api/v1/notifications/rules/{made.get_json()['id']}", headers=root.headers).status_code == 204
    assert client.put("/api/v1/notifications/preferences", headers=zhang.headers,
                      json={"channels_off": ["sms"]}).get_json()["channels_off"] == ["sms"]
    _start(wired, citizen)  # the receipt of acceptance is a legal notice: it comes anyway
    assert [r.channel for r in _rows(wired)] == ["sms"]
    assert len(root.get("/notifications/rules").get_json()["defaults"]) >= 10
