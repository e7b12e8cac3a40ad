"""Call activities start a linked child case of another deployed process: the latest version or
the one bound in the diagram; camunda:in/out map variables and without a mapping nothing flows;
the child's end runs the parent on; a missing process or a terminated child is an incident."""
from __future__ import annotations

import pytest

from tests.conformance.invariant import assert_not_stuck
from tests.factories.api import ApiUser
from tests.factories.bpmn import diagram, end, flow, script, start, user_task
from tests.factories.directory import make_user


def child(version_note: str = "v") -> bytes:
    return diagram("child_review", "\n".join([
        start(), user_task("review"), script("conclude", f"result = '{version_note}:' + title"), end(),
        flow("start", "review", "conclude", "end")]))


def parent(attrs: str = "", mappings: str = '<camunda:in source="title" target="title"/>'
                                           '<camunda:out source="result" target="child_result"/>') -> bytes:
    return diagram("parent_flow", "\n".join([
        start("title, secret"),
        f'<bpmn:callActivity id="call" calledElement="child_review" {attrs}><bpmn:extensionElements>'
        f'{mappings}</bpmn:extensionElements></bpmn:callActivity>',
        user_task("after", field="done"), end(), flow("start", "call", "after", "end")]))


@pytest.fixture
def people(client, container):
    for name, role in [("root", "admin"), ("zhang", "citizen"), ("sun", "clerk"), ("wu", "supervisor")]:
        make_user(container, name, role)
    return {n: ApiUser(client, n) for n in ("root", "zhang", "sun", "wu")}


def _deploy(people, xml: bytes) -> dict:
    resp = people["root"].upload(("p.bpmn", xml))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _start(people) -> dict:
    resp = people["zhang"].post("/cases", {"process_key": "parent_flow", "data": {"title": "老旧小区改造", "secret": "内部"}})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _child_of(people, case_id: int) -> dict:
    [kid] = people["root"].get(f"/cases/{case_id}").get_json()["children"]
    return people["root"].get(f"/cases/{kid['id']}").get_json()


def test_the_child_runs_as_a_linked_case_and_hands_back_its_result(people, container):
    _deploy(people, child())
    _deploy(people, parent())
    case = _start(people)
    assert case["tasks"] == [] and case["status"] == "running"
    kid = _child_of(people, case["id"])
    assert kid["process_key"] == "child_review" and kid["parent"]["id"] == case["id"]
    assert kid["data"].get("title") == "老旧小区改造" and "secret" not in kid["data"]  # only what is mapped
    assert_not_stuck(container, case["id"], kid["id"])
    assert people["zhang"].get(f"/cases/{kid['id']}").status_code == 200  # the requester follows the child too
    review = kid["tasks"][0]
    assert people["sun"].post(f"/tasks/{review['id']}/complete", {"data": {"ok": True}}).status_code == 200
    assert people["root"].get(f"/cases/{kid['id']}").get_json()["status"] == "completed"
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert [t["element_id"] for t in view["tasks"]] == ["after"]
    assert view["data"]["child_result"] == "v:老旧小区改造"
    assert "ok" not in view["data"] and "result" not in view["data"]  # nothing else flows back
    assert "child.completed" in [h["action"] for h in view["history"]]
    assert_not_stuck(container, case["id"], kid["id"])


def test_without_mappings_nothing_flows_and_all_passes_everything(people, container):
    _deploy(people, child())
    _deploy(people, parent(mappings=""))
    none = _start(people)
    assert "title" not in _child_of(people, none["id"])["data"]
    _deploy(people, parent(mappings='<camunda:in variables="all"/><camunda:out variables="all"/>'))
    both = _start(people)
    kid = _child_of(people, both["id"])
    assert kid["data"]["secret"] == "内部"
    people["sun"].post(f"/tasks/{kid['tasks'][0]['id']}/complete", {"data": {"ok": True}})
    assert people["root"].get(f"/cases/{both['id']}").get_json()["data"]["result"] == "v:老旧小区改造"


def test_latest_version_or_the_bound_one(people, container):
    _deploy(people, child("v1"))
    _deploy(people, parent())
    _deploy(people, child("v2"))
    kid = _child_of(people, _start(people)["id"])
    assert kid["process_version"] == 2
    _deploy(people, parent('camunda:calledElementBinding="version" camunda:calledElementVersion="1"'))
    kid = _child_of(people, _start(people)["id"])
    assert kid["process_version"] == 1


def test_a_missing_process_is_an_incident_retried_once_deployed(people, container):
    _deploy(people, parent())
    case = _start(people)
    [incident] = people["root"].get(f"/cases/{case['id']}").get_json()["incidents"]
    assert incident["kind"] == "call-activity" and incident["element_id"] == "call"
    assert "child_review" in incident["message"]
    assert_not_stuck(container, case["id"])
    _deploy(people, child())
    assert people["root"].post(f"/incidents/{incident['id']}/retry", {}).status_code == 200
    kid = _child_of(people, case["id"])
    assert kid["status"] == "running"
    assert people["root"].get(f"/cases/{case['id']}").get_json()["incidents"] == []


def test_terminating_a_child_or_its_parent(people, container):
    _deploy(people, child())
    _deploy(people, parent())
    case = _start(people)
    kid = _child_of(people, case["id"])
    assert people["wu"].post(f"/cases/{kid['id']}/terminate", {"reason": "撤回申请"}).status_code == 200
    [incident] = people["root"].get(f"/cases/{case['id']}").get_json()["incidents"]
    assert incident["element_id"] == "call" and "terminated" in incident["message"]
    assert_not_stuck(container, case["id"])
    # retry starts a new child; terminating the parent ends it too
    assert people["root"].post(f"/incidents/{incident['id']}/retry", {}).status_code == 200
    kids = people["root"].get(f"/cases/{case['id']}").get_json()["children"]
    assert [k["status"] for k in kids] == ["terminated", "running"]
    assert people["wu"].post(f"/cases/{case['id']}/terminate", {"reason": "重复申请"}).status_code == 200
    kids = people["root"].get(f"/cases/{case['id']}").get_json()["children"]
    assert [k["status"] for k in kids] == ["terminated", "terminated"]
    assert people["sun"].get("/tasks").get_json() == []


def test_a_source_expression_as_camunda_writes_it(people, container):
    _deploy(people, child())
    _deploy(people, parent(mappings='<camunda:in sourceExpression="${title + \'（复核）\'}" target="title"/>'))
    assert _child_of(people, _start(people)["id"])["data"]["title"] == "老旧小区改造（复核）"
