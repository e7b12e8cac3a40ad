"""Messages and signals as Camunda 7 delivers them: message start, intermediate catch found by
case number, business key or correlation variables, boundary events (interrupting and not),
receive task, event-based gateway, signals, and exactly-once delivery. Through the REST API,
with the invariant checked after every step."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from sqlalchemy import func, select

from engine.models import AuditEvent, Case, EventSubscription, Task, Timer
from engine.timers import sweep
from tests.conftest import DATA
from tests.conformance.invariant import assert_not_stuck
from tests.factories.api import ApiUser
from tests.factories.directory import make_user

USERS = [("root", "admin"), ("zhang", "citizen"), ("iot", "sensor"), ("sun", "clerk")]


@pytest.fixture
def people(client, container):
    for name, role in USERS:
        make_user(container, name, role)
    return {n: ApiUser(client, n) for n, _ in USERS}


def _deploy(people, *names: str) -> None:
    for name in names:
        resp = people["root"].upload((name, (DATA / "conformance" / name).read_bytes()))
        assert resp.status_code == 201, resp.get_json()


def _start(people, container, key: str, **body) -> dict:
    resp = people["zhang"].post("/cases", {"process_key": key, **body})
    assert resp.status_code == 201, resp.get_json()
    assert_not_stuck(container, resp.get_json()["id"])
    return resp.get_json()


def _send(people, container, path: str = "/messages", status: int = 200, **body) -> dict:
    resp = people["iot"].post(path, body)
    assert resp.status_code == status, resp.get_json()
    assert_not_stuck(container)
    return resp.get_json()


def _case(people, case_id: int) -> dict:
    return people["root"].get(f"/cases/{case_id}").get_json()


def _open(people, case_id: int) -> list[str]:
    return sorted(t["element_id"] for t in _case(people, case_id)["tasks"])


def _waits(container, case_id: int) -> list[str]:
    with container.session_factory() as s:
        return sorted(s.scalars(select(EventSubscription.name).where(EventSubscription.case_id == case_id)))


def test_a_message_start_opens_a_case_with_its_variables_and_business_key(people, container):
    _deploy(people, "msg_start.bpmn")
    out = _send(people, container, message_name="manhole.alarm", business_key="MH-7",
                variables={"title": "井盖移位", "well": "W-12"})
    assert out["started"] is True
    case = _case(people, out["case_id"])
    assert case["data"]["well"] == "W-12" and _open(people, case["id"]) == ["Task_check"]
    assert "_civicflow_payload" not in case["data"]
    with container.session_factory() as s:
        assert s.get(Case, case["id"]).business_key == "MH-7"
    assert _waits(container, case["id"]) == []  # the start event fired: nothing waits to run it again
    again = _send(people, container, message_name="manhole.alarm", business_key="MH-7")
    assert again["started"] is True and again["case_id"] != case["id"]


def test_a_case_started_by_a_person_does_not_wait_at_the_other_start_events(people, container):
    _deploy(people, "msg_start_or_form.bpmn")
    case = _start(people, container, "msg_complaint", data={"title": "噪音"})
    assert _open(people, case["id"]) == ["Task_accept"] and _waits(container, case["id"]) == []
    out = _send(people, container, message_name="hotline.transfer", variables={"title": "转来"})
    assert out["started"] is True and out["case_id"] != case["id"]
    assert _open(people, out["case_id"]) == ["Task_accept"] and _waits(container, out["case_id"]) == []


def _two_waiting(people, container) -> tuple[dict, dict]:
    _deploy(people, "msg_catch.bpmn")
    first = _start(people, container, "msg_payment", data={"title": "证一", "order_no": "A-1"}, business_key="BK-1")
    second = _start(people, container, "msg_payment", data={"title": "证二", "order_no": "A-2"}, business_key="BK-2")
    assert _waits(container, first["id"]) == _waits(container, second["id"]) == ["payment.received"]
    return first, second


@pytest.mark.parametrize("how", ["case_number", "business_key", "correlation"])
def test_an_intermediate_catch_is_found_by_case_number_business_key_or_variables(people, container, how):
    first, second = _two_waiting(people, container)
    target = {"case_number": {"case_number": second["number"]}, "business_key": {"business_key": "BK-2"},
              "correlation": {"correlation": {"order_no": "A-2"}}}[how]
    out = _send(people, container, message_name="payment.received", variables={"amount": 120}, **target)
    assert out == {"case_id": second["id"], "started": False}
    assert _open(people, second["id"]) == ["Task_issue"]
    assert _case(people, second["id"])["data"] | {"amount": 120} == _case(people, second["id"])["data"]
    assert _open(people, first["id"]) == [] and _waits(container, first["id"]) == ["payment.received"]


def test_no_receiver_is_404_and_two_receivers_are_409_unless_all(people, container):
    first, second = _two_waiting(people, container)
    _send(people, container, status=404, message_name="no.such.message")
    _send(people, container, status=404, message_name="payment.received", business_key="BK-9")
    conflict = _send(people, container, status=409, message_name="payment.received")
    assert conflict["error"]["code"] == "conflict"
    assert _waits(container, first["id"]) == _waits(container, second["id"]) == ["payment.received"]
    out = _send(people, container, message_name="payment.received", all=True, variables={"amount": 1})
    assert out["delivered"] == 2 and sorted(out["case_ids"]) == [first["id"], second["id"]]
    assert _open(people, first["id"]) == _open(people, second["id"]) == ["Task_issue"]


def test_the_same_message_twice_is_delivered_once(people, container):
    _, second = _two_waiting(people, container)
    _send(people, container, message_name="payment.received", case_number=second["number"])
    _send(people, container, status=404, message_name="payment.received", case_number=second["number"])
    assert _open(people, second["id"]) == ["Task_issue"]


def test_concurrent_copies_of_one_message_are_delivered_exactly_once(app, people, container):
    _, second = _two_waiting(people, container)
    senders = [ApiUser(app.test_client(), "iot") for _ in range(8)]
    barrier, statuses = threading.Barrier(len(senders)), []

    def send(user: ApiUser) -> None:
        barrier.wait()
        statuses.append(user.post("/messages", {"message_name": "payment.received",
                                                "case_number": second["number"]}).status_code)

    threads = [threading.Thread(target=send, args=(u,)) for u in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 404, 409}, statuses
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == second["id"], AuditEvent.action == "message.received")) == 1
        assert s.scalar(select(func.count()).select_from(Task).where(Task.case_id == second["id"])) == 1
    assert_not_stuck(container)


def test_an_interrupting_boundary_message_cancels_the_task(people, container):
    _deploy(people, "msg_boundary.bpmn")
    case = _start(people, container, "msg_review", data={"title": "许可"})
    assert _waits(container, case["id"]) == ["applicant.urged", "application.withdrawn"]
    _send(people, container, message_name="application.withdrawn", case_number=case["number"])
    assert _open(people, case["id"]) == ["Task_archive"] and _waits(container, case["id"]) == []
    with container.session_factory() as s:
        assert s.scalar(select(Task.state).where(Task.case_id == case["id"],
                                                 Task.element_id == "Task_review")) == "cancelled"


def test_a_non_interrupting_boundary_message_adds_a_path(people, container):
    _deploy(people, "msg_boundary.bpmn")
    case = _start(people, container, "msg_review", data={"title": "许可"})
    review = case["tasks"][0]["id"]
    _send(people, container, message_name="applicant.urged", case_number=case["number"], variables={"urged": 2})
    assert _open(people, case["id"]) == ["Task_reply", "Task_review"]
    assert review in [t["id"] for t in _case(people, case["id"])["tasks"]]  # the same task, not reopened
    assert "application.withdrawn" in _waits(container, case["id"])


def test_a_receive_task_takes_the_message_and_its_variables(people, container):
    _deploy(people, "msg_receive.bpmn")
    case = _start(people, container, "msg_reply", data={"title": "函"}, business_key="LETTER-3")
    _send(people, container, message_name="department.reply", business_key="LETTER-3", variables={"answer": "同意"})
    assert _open(people, case["id"]) == ["Task_read"] and _case(people, case["id"])["data"]["answer"] == "同意"


def _gateway_case(people, container) -> dict:
    _deploy(people, "msg_event_gateway.bpmn")
    case = _start(people, container, "msg_supplement", data={"title": "补正"})
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Timer).where(
            Timer.case_id == case["id"], Timer.state == "pending")) == 1
    return case


def test_an_event_based_gateway_takes_the_message_when_it_comes_first(people, container):
    case = _gateway_case(people, container)
    _send(people, container, message_name="materials.supplied", case_number=case["number"])
    assert _open(people, case["id"]) == ["Task_review"]
    with container.session_factory() as s:  # the timer branch was dropped with its timer
        assert s.scalar(select(func.count()).select_from(Timer).where(
            Timer.case_id == case["id"], Timer.state == "pending")) == 0


@pytest.fixture
def spiff_on_test_clock(monkeypatch, clock):
    """SpiffWorkflow's timer events read the wall clock; make them read the test's clock."""
    class _Now(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now().astimezone(tz)

    monkeypatch.setattr(spiff_timer, "datetime", _Now)


def test_an_event_based_gateway_takes_the_timer_when_it_comes_first(people, container, clock, spiff_on_test_clock):
    case = _gateway_case(people, container)
    clock.advance(hours=1, minutes=1)
    assert sweep(container, "test") == 1
    assert_not_stuck(container, case["id"])
    assert _open(people, case["id"]) == ["Task_close"] and _waits(container, case["id"]) == []
    _send(people, container, status=404, message_name="materials.supplied", case_number=case["number"])


def test_a_signal_reaches_every_waiting_case_and_starts_one(people, container):
    _deploy(people, "sig_wait.bpmn", "sig_start.bpmn")
    sites = [_start(people, container, "sig_site", data={"title": f"工地{i}"}) for i in (1, 2)]
    out = _send(people, container, "/signals", signal_name="typhoon.warning", variables={"level": "red"})
    assert out == {"delivered": 3}
    for site in sites:
        assert _open(people, site["id"]) == ["Task_secure"] and _case(people, site["id"])["data"]["level"] == "red"
    with container.session_factory() as s:
        [drill] = s.scalars(select(Case).where(Case.process_key == "sig_drill")).all()
    assert _open(people, drill.id) == ["Task_standby"] and drill.data["level"] == "red"
    assert _send(people, container, "/signals", signal_name="typhoon.warning") == {"delivered": 1}  # a new drill


def test_who_may_send_and_what_a_bad_body_says(people, container):
    _deploy(people, "msg_start.bpmn")
    assert people["zhang"].post("/messages", {"message_name": "manhole.alarm"}).status_code == 403
    assert people["zhang"].post("/signals", {"signal_name": "x"}).status_code == 403
    for body, field in [({}, "message_name"), ({"message_name": "m", "variables": [1]}, "variables"),
                        ({"message_name": "m", "case_no": "x"}, "case_no"),
                        ({"message_name": "m", "correlation": {}}, "correlation")]:
        resp = people["iot"].post("/messages", body)
        assert resp.status_code == 400 and field in resp.get_json()["error"]["fields"], resp.get_json()
    resp = people["iot"].post("/signals", {"variables": {}})
    assert resp.status_code == 400 and "signal_name" in resp.get_json()["error"]["fields"]
    resp = people["zhang"].post("/cases", {"process_key": "msg_start", "business_key": ""})
    assert resp.status_code == 400 and "business_key" in resp.get_json()["error"]["fields"]
