"""The two faults that made cases stop silently, and incidents: a process that ends inside its
start request completes its case; abstract and manual tasks pass through; a service task runs
its expression; a step that fails at run time opens an incident an admin can retry or resolve."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from engine.models import AuditEvent, Task
from engine.stuck import stuck_cases
from tests.conformance.invariant import assert_not_stuck
from tests.factories.api import ApiUser
from tests.factories.bpmn import diagram, end, flow, script, start, user_task
from tests.factories.directory import make_org_tree, make_user


@pytest.fixture
def people(client, container):
    make_org_tree(container)
    for name, role, unit in [("root", "admin", None), ("zhang", "citizen", None), ("sun", "clerk", None),
                             ("wu", "supervisor", "CITY"), ("du", "supervisor", "D-WEST")]:
        make_user(container, name, role, org_unit=unit)
    return {n: ApiUser(client, n) for n in ("root", "zhang", "sun", "wu", "du")}


def _deploy(people, xml: bytes) -> None:
    resp = people["root"].upload(("p.bpmn", xml))
    assert resp.status_code == 201, resp.get_json()


def _actions(container, case_id: int) -> list[str]:
    with container.session_factory() as s:
        return [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                            .order_by(AuditEvent.seq))]


INSTANT = diagram("instant", "\n".join([
    start("amount"), script("rule", "approved = int(amount) &lt;= 1000"),
    '<bpmn:task id="abstract" name="记录"/>', '<bpmn:manualTask id="manual" name="线下盖章"/>',
    '<bpmn:serviceTask id="notice" camunda:expression="${\'批准\' if approved else \'不予批准\'}" '
    'camunda:resultVariable="notice_text"/>',
    end(), flow("start", "rule", "abstract", "manual", "notice", "end")]))


def test_a_process_that_ends_in_its_start_request_completes_the_case(people, container):
    _deploy(people, INSTANT)
    resp = people["zhang"].post("/cases", {"process_key": "instant", "data": {"amount": "800"}})
    assert resp.status_code == 201
    case = resp.get_json()
    assert case["status"] == "completed" and case["closed_at"] is not None and case["tasks"] == []
    assert case["data"] == {"amount": "800"}  # the applicant sees what they gave; the outcome is staff's
    staff = people["root"].get(f"/cases/{case['id']}").get_json()
    assert staff["data"]["notice_text"] == "批准" and staff["data"]["approved"] is True
    actions = _actions(container, case["id"])
    actions = [a for a in actions if a != "document.issued"]  # 受理回执, 办结通知书
    assert actions[0] == "case.started" and actions[-1] == "case.completed"
    assert_not_stuck(container, case["id"])


def test_abstract_and_manual_tasks_pass_straight_through(people, container):
    _deploy(people, diagram("pass", "\n".join([
        start(), '<bpmn:task id="t1"/>', '<bpmn:manualTask id="m1"/>', user_task("review"), end(),
        flow("start", "t1", "m1", "review", "end")])))
    case = people["zhang"].post("/cases", {"process_key": "pass", "data": {}}).get_json()
    assert [t["element_id"] for t in case["tasks"]] == ["review"]
    assert_not_stuck(container, case["id"])
    done = people["sun"].post(f"/tasks/{case['tasks'][0]['id']}/complete", {"data": {"ok": True}})
    assert done.get_json()["case"]["status"] == "completed"


FAILING = diagram("failing", "\n".join([
    start("title, org_unit"), user_task("intake"), script("compute", "fee = base * 2"),
    '<bpmn:exclusiveGateway id="gw" default="f_gw_end"/>', user_task("pay", field="paid"), end(),
    flow("start", "intake", "compute", "gw", "pay", condition={("gw", "pay"): "${fee &gt; 10}"}),
    '<bpmn:sequenceFlow id="f_gw_end" sourceRef="gw" targetRef="end"/>',
    '<bpmn:sequenceFlow id="f_pay_end" sourceRef="pay" targetRef="end"/>']))


def _failing_case(people, container) -> dict:
    _deploy(people, FAILING)
    case = people["zhang"].post("/cases", {"process_key": "failing", "data": {"title": "办证", "org_unit": "D-EAST"}}).get_json()
    done = people["sun"].post(f"/tasks/{case['tasks'][0]['id']}/complete", {"data": {"ok": True}})
    assert done.status_code == 200  # the clerk's step is taken; the script after it fails
    assert done.get_json()["next_tasks"] == []
    assert_not_stuck(container, case["id"])
    return case


def test_a_failing_script_opens_an_incident_that_names_element_and_cause(people, container):
    case = _failing_case(people, container)
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert view["status"] == "running"
    [incident] = view["incidents"]
    assert incident["element_id"] == "compute" and incident["kind"] == "script"
    assert "base" in incident["message"] and incident["attempts"] == 1
    assert "incidents" not in people["zhang"].get(f"/cases/{case['id']}").get_json()  # engine internals
    assert [i["id"] for i in people["root"].get("/incidents").get_json()] == [incident["id"]]
    assert [i["id"] for i in people["wu"].get("/incidents").get_json()] == [incident["id"]]  # D-EAST is under CITY
    assert people["zhang"].get("/incidents").status_code == 403
    assert people["sun"].post(f"/incidents/{incident['id']}/retry", {}).status_code == 403
    assert "incident.opened" in _actions(container, case["id"])


def test_retry_with_corrected_variables_runs_the_case_on(people, container):
    case = _failing_case(people, container)
    incident = people["root"].get("/incidents").get_json()[0]
    again = people["root"].post(f"/incidents/{incident['id']}/retry", {})
    assert again.status_code == 200 and again.get_json()["attempts"] == 2 and again.get_json()["resolved_at"] is None
    assert_not_stuck(container, case["id"])
    fixed = people["root"].post(f"/incidents/{incident['id']}/retry", {"variables": {"base": 8}})
    assert fixed.status_code == 200 and fixed.get_json()["resolution"] == "retried"
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert view["incidents"] == [] and [t["element_id"] for t in view["tasks"]] == ["pay"]
    assert view["data"]["fee"] == 16
    assert people["root"].post(f"/incidents/{incident['id']}/retry", {}).status_code == 409
    assert_not_stuck(container, case["id"])


def test_resolve_skips_the_element_with_a_reason(people, container):
    case = _failing_case(people, container)
    incident = people["root"].get("/incidents").get_json()[0]
    assert people["root"].post(f"/incidents/{incident['id']}/resolve", {}).status_code == 400
    resp = people["root"].post(f"/incidents/{incident['id']}/resolve", {"reason": "费用已线下计算"})
    assert resp.status_code == 200 and resp.get_json()["resolution"] == "resolved"
    # the gateway then fails on the missing fee: a new incident, at the gateway, which cannot be skipped
    [gateway] = people["root"].get("/incidents").get_json()
    assert gateway["element_id"] == "gw"
    refused = people["root"].post(f"/incidents/{gateway['id']}/resolve", {"reason": "跳过"})
    assert refused.status_code == 422 and "gateway" in refused.get_json()["error"]["message"]
    assert people["root"].post(f"/incidents/{gateway['id']}/retry", {"variables": {"fee": 1}}).status_code == 200
    assert people["root"].get(f"/cases/{case['id']}").get_json()["status"] == "completed"
    assert "incident.resolved" in _actions(container, case["id"])


def test_supervisors_see_only_their_subtree(people, container):
    _failing_case(people, container)
    assert people["du"].get("/incidents").get_json() == []  # D-EAST is not under D-WEST


def test_a_failing_start_still_creates_the_case_with_an_incident(people, container):
    _deploy(people, diagram("bad_start", "\n".join([start(), script("boom", "x = missing + 1"), end(),
                                                    flow("start", "boom", "end")])))
    resp = people["zhang"].post("/cases", {"process_key": "bad_start", "data": {}})
    assert resp.status_code == 201 and resp.get_json()["status"] == "running"
    assert [i["element_id"] for i in people["root"].get("/incidents").get_json()] == ["boom"]
    assert_not_stuck(container, resp.get_json()["id"])


def test_the_invariant_sees_a_case_that_waits_on_nothing(people, container):
    """The helper every process test relies on must be able to fail."""
    _deploy(people, diagram("plain", "\n".join([start(), user_task("review"), end(),
                                                  flow("start", "review", "end")])))
    case = people["zhang"].post("/cases", {"process_key": "plain", "data": {}}).get_json()
    with container.session_factory() as s:
        assert stuck_cases(s) == []
        s.execute(delete(Task).where(Task.case_id == case["id"]))  # as a lost inbox row would
        s.commit()
        assert stuck_cases(s) == [case["id"]]
    with pytest.raises(AssertionError, match=str(case["id"])):
        assert_not_stuck(container)
