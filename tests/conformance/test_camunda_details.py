"""Everyday Camunda 7 details: camunda:candidateUsers, candidate expressions yielding a list,
multi-instance over a collection with nrOf* completion conditions, camunda:inputOutput and
#{…} expressions. Each diagram is driven to its end through the API."""
from __future__ import annotations

import pytest

from tests.conformance.invariant import assert_not_stuck
from tests.factories.api import ApiUser
from tests.factories.bpmn import diagram, end, flow, script, start, user_task
from tests.factories.directory import make_user

USERS = [("root", "admin"), ("zhang", "citizen"), ("sun", "clerk"), ("a1", "approver"), ("a2", "approver"),
         ("a3", "approver"), ("h1", "handler")]


@pytest.fixture
def people(client, container):
    for name, role in USERS:
        make_user(container, name, role)
    return {n: ApiUser(client, n) for n, _ in USERS}


def _run(people, container, xml: bytes, data: dict | None = None) -> dict:
    resp = people["root"].upload(("p.bpmn", xml))
    assert resp.status_code == 201, resp.get_json()
    key = resp.get_json()["key"]
    case = people["zhang"].post("/cases", {"process_key": key, "data": data or {}})
    assert case.status_code == 201, case.get_json()
    assert_not_stuck(container, case.get_json()["id"])
    return case.get_json()


def _inbox(people, name: str) -> list[dict]:
    return people[name].get("/tasks").get_json()


def _complete(people, container, name: str, task: dict, data: dict) -> dict:
    resp = people[name].post(f"/tasks/{task['id']}/complete", {"data": data})
    assert resp.status_code == 200, resp.get_json()
    assert_not_stuck(container, task["case_id"])
    return resp.get_json()


def test_candidate_users_and_a_list_valued_group_expression(people, container):
    xml = diagram("who", "\n".join([
        start("reviewers"), script("pick", "groups = ['handler', 'clerk']; reviewers = reviewers.split(',')"),
        user_task("by_users", extra_attrs='camunda:candidateUsers="${reviewers}"').replace(
            'camunda:candidateGroups="clerk" ', ""),
        user_task("by_groups", groups="${groups}"), end(),
        flow("start", "pick", "by_users", "by_groups", "end")]))
    case = _run(people, container, xml, {"reviewers": "a1,a3"})
    assert [t["element_id"] for t in _inbox(people, "a1")] == ["by_users"]
    assert _inbox(people, "a2") == [] and _inbox(people, "sun") == []
    assert [t["element_id"] for t in _inbox(people, "a3")] == ["by_users"]
    _complete(people, container, "a3", _inbox(people, "a3")[0], {"ok": True})
    assert _inbox(people, "a1") == []
    for name in ("h1", "sun"):  # the list ['handler', 'clerk'] names both roles
        assert [t["element_id"] for t in _inbox(people, name)] == ["by_groups"]
    _complete(people, container, "h1", _inbox(people, "h1")[0], {"ok": True})
    assert people["root"].get(f"/cases/{case['id']}").get_json()["status"] == "completed"


def _sign_off(condition: str, sequential: bool = False) -> bytes:
    loop = (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}" '
            f'camunda:collection="${{signers}}" camunda:elementVariable="signer">'
            + (f'<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">{condition}</bpmn:completionCondition>'
               if condition else "") + '</bpmn:multiInstanceLoopCharacteristics>')
    sign = ('<bpmn:userTask id="sign" name="会签" camunda:assignee="${signer}"><bpmn:extensionElements>'
            '<camunda:formData><camunda:formField id="approved" type="boolean"/></camunda:formData>'
            f'</bpmn:extensionElements>{loop}</bpmn:userTask>')
    return diagram("sign_off", "\n".join([
        start(), script("who", "signers = ['a1', 'a2', 'a3']"), sign, user_task("notify"), end(),
        flow("start", "who", "sign", "notify", "end")]))


def test_parallel_sign_off_over_a_collection_all_must_approve(people, container):
    case = _run(people, container, _sign_off(""))
    for name in ("a1", "a2", "a3"):
        [task] = _inbox(people, name)
        assert task["element_id"] == "sign" and task["assignee"] == name
    for name in ("a2", "a1", "a3"):
        _complete(people, container, name, _inbox(people, name)[0], {"approved": True})
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert [t["element_id"] for t in view["tasks"]] == ["notify"]
    assert view["data"]["signers"] == ["a1", "a2", "a3"] and view["data"]["approved"] is True


def test_completion_condition_with_instance_counts_ends_the_round(people, container):
    case = _run(people, container, _sign_off("${nrOfCompletedInstances / nrOfInstances &gt;= 0.6 "
                                              "|| approved == false}"))
    _complete(people, container, "a1", _inbox(people, "a1")[0], {"approved": True})
    assert len(people["root"].get(f"/cases/{case['id']}").get_json()["tasks"]) == 2  # 1/3 < 0.6
    _complete(people, container, "a3", _inbox(people, "a3")[0], {"approved": True})  # 2/3 ≥ 0.6
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert [t["element_id"] for t in view["tasks"]] == ["notify"] and _inbox(people, "a2") == []

    rejected = _run(people, container, _sign_off("${approved == false}"))
    _complete(people, container, "a2", _inbox(people, "a2")[0], {"approved": False})  # 或签-style veto
    view = people["root"].get(f"/cases/{rejected['id']}").get_json()
    assert [t["element_id"] for t in view["tasks"]] == ["notify"] and view["data"]["approved"] is False


def test_sequential_sign_off_one_after_another(people, container):
    case = _run(people, container, _sign_off("${nrOfActiveInstances == 0 &amp;&amp; approved == false}",
                                             sequential=True))
    assert [bool(_inbox(people, n)) for n in ("a1", "a2", "a3")] == [True, False, False]
    _complete(people, container, "a1", _inbox(people, "a1")[0], {"approved": True})
    assert [bool(_inbox(people, n)) for n in ("a1", "a2", "a3")] == [False, True, False]
    _complete(people, container, "a2", _inbox(people, "a2")[0], {"approved": True})
    _complete(people, container, "a3", _inbox(people, "a3")[0], {"approved": True})
    assert [t["element_id"] for t in people["root"].get(f"/cases/{case['id']}").get_json()["tasks"]] == ["notify"]


def test_input_output_parameters_and_hash_expressions(people, container):
    io = ('<camunda:inputOutput>'
          '<camunda:inputParameter name="fee_rate">0.05</camunda:inputParameter>'
          '<camunda:inputParameter name="fee">#{int(amount) * 0.05}</camunda:inputParameter>'
          '<camunda:inputParameter name="checks"><camunda:list><camunda:value>身份</camunda:value>'
          '<camunda:value>${title}</camunda:value></camunda:list></camunda:inputParameter>'
          '<camunda:outputParameter name="decision">${"同意" if ok else "不同意"}</camunda:outputParameter>'
          '</camunda:inputOutput>')
    xml = diagram("io", "\n".join([
        start("amount, title"), user_task("review", inner=io), '<bpmn:exclusiveGateway id="gw" default="f_gw_end"/>',
        user_task("again"), end(),
        flow("start", "review", "gw", "again", condition={("gw", "again"): "#{decision == '不同意'}"}),
        '<bpmn:sequenceFlow id="f_gw_end" sourceRef="gw" targetRef="end"/>',
        '<bpmn:sequenceFlow id="f_again_end" sourceRef="again" targetRef="end"/>']))
    case = _run(people, container, xml, {"amount": "200", "title": "营业执照"})
    task = people["sun"].get(f"/tasks/{case['tasks'][0]['id']}").get_json()
    assert task["case"]["data"]["fee"] == 10.0 and task["case"]["data"]["fee_rate"] == "0.05"
    assert task["case"]["data"]["checks"] == ["身份", "营业执照"]
    _complete(people, container, "sun", task, {"ok": False})
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert view["data"]["decision"] == "不同意" and [t["element_id"] for t in view["tasks"]] == ["again"]
