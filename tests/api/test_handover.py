"""转办 and 退回 through the API: who may, what moves, and what the history says."""
from __future__ import annotations

import pytest

from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user


@pytest.fixture
def people(client, container):
    make_org_tree(container)
    for name, role, unit in [("root", "admin", None), ("zhang", "citizen", None), ("wang", "dispatcher", "CITY"),
                             ("zhao", "handler", "D-EAST-CG"), ("li", "handler", "D-EAST-CG"),
                             ("xi", "handler", "D-WEST-CG"), ("qian", "inspector", "D-EAST")]:
        make_user(container, name, role, org_unit=unit)
    users = {n: ApiUser(client, n) for n in ("root", "zhang", "wang", "zhao", "li", "xi", "qian")}
    assert users["root"].upload(("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())).status_code == 201
    case = users["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                          "data": {"title": "路灯", "location": "和平路"}}).get_json()
    dispatch = case["tasks"][0]
    users["wang"].post(f"/tasks/{dispatch['id']}/complete", {"data": {"valid": True, "department": "D-EAST-CG"}})
    users["case"] = case
    return users


def _handle(people) -> dict:
    return people["zhao"].get("/tasks").get_json()[0]


def test_transfer_to_a_colleague_or_another_department(people):
    handle = _handle(people)
    assert people["zhao"].post(f"/tasks/{handle['id']}/transfer", {"to_user": "li"}).status_code == 400
    refused = people["zhao"].post(f"/tasks/{handle['id']}/transfer", {"to_user": "qian", "reason": "请核查员办理"})
    assert refused.status_code == 422  # not a candidate of the handling step
    assert people["qian"].post(f"/tasks/{handle['id']}/transfer", {"to_user": "qian", "reason": "x"}).status_code == 404
    moved = people["zhao"].post(f"/tasks/{handle['id']}/transfer", {"to_user": "li", "reason": "本人休假"})
    assert moved.status_code == 200
    assert [t["id"] for t in people["li"].get("/tasks?scope=mine").get_json()] == [handle["id"]]
    assert people["zhao"].get("/tasks").get_json() == []
    away = people["li"].post(f"/tasks/{handle['id']}/transfer", {"to_org_unit": "D-WEST-CG", "reason": "属地不符"})
    assert away.status_code == 200
    assert [t["org_unit"] for t in people["xi"].get("/tasks").get_json()] == ["D-WEST-CG"]
    history = people["root"].get(f"/cases/{people['case']['id']}").get_json()["history"]
    assert [(h["action"], h["actor"], h["reason"]) for h in history if h["action"] == "task.transferred"] == [
        ("task.transferred", "zhao", "本人休假"), ("task.transferred", "li", "属地不符")]


def test_return_reopens_the_previous_step(people):
    handle = _handle(people)
    assert people["li"].post(f"/tasks/{handle['id']}/claim").status_code == 200
    assert people["zhao"].post(f"/tasks/{handle['id']}/return", {"reason": "x"}).status_code == 403  # li holds it
    back = people["li"].post(f"/tasks/{handle['id']}/return", {"reason": "分拨部门有误，应为水务"})
    assert back.status_code == 200
    assert [t["name"] for t in back.get_json()["returned_to"]] == ["分拨"]
    assert people["li"].get("/tasks").get_json() == []
    dispatch = people["wang"].get("/tasks").get_json()
    assert [t["name"] for t in dispatch] == ["分拨"]
    assert people["li"].post(f"/tasks/{handle['id']}/complete", {"data": {"result": "xx"}}).status_code == 409
    case = people["root"].get(f"/cases/{people['case']['id']}").get_json()
    assert [(h["action"], h["actor"], h["reason"]) for h in case["history"]][-1] == (
        "task.returned", "li", "分拨部门有误，应为水务")
    # the dispatcher decides again and the case goes on
    again = people["wang"].post(f"/tasks/{dispatch[0]['id']}/complete",
                                {"data": {"valid": True, "department": "D-WEST-CG"}})
    assert [t["org_unit"] for t in again.get_json()["next_tasks"]] == ["D-WEST-CG"]


def test_the_first_step_has_nothing_to_return_to(people):
    case = people["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                           "data": {"title": "灯", "location": "路"}}).get_json()
    resp = people["wang"].post(f"/tasks/{case['tasks'][0]['id']}/return", {"reason": "无法分拨"})
    assert resp.status_code == 422


def test_a_return_before_the_split_cancels_every_branch(people, container):
    make_user(container, "sun", "clerk")
    make_user(container, "zhou", "approver")
    assert people["root"].upload(("p.bpmn", (DATA / "parallel_review.bpmn").read_bytes())).status_code == 201
    clerk, approver = ApiUser(people["root"].client, "sun"), ApiUser(people["root"].client, "zhou")
    case = people["zhang"].post("/cases", {"process_key": "parallel_review", "data": {}}).get_json()
    clerk.post(f"/tasks/{case['tasks'][0]['id']}/complete", {"data": {"ok": True}})
    a, b = approver.get("/tasks").get_json()
    back = approver.post(f"/tasks/{a['id']}/return", {"reason": "材料不全"})
    assert back.status_code == 200
    assert [t["element_id"] for t in back.get_json()["returned_to"]] == ["Task_receive"]
    assert approver.get("/tasks").get_json() == []  # both branches are gone
    assert [t["element_id"] for t in clerk.get("/tasks?scope=mine").get_json()] == ["Task_receive"]
    history = people["root"].get(f"/cases/{case['id']}").get_json()["history"]
    returned = [h for h in history if h["action"] == "task.returned"]
    assert len(returned) == 1 and returned[0]["reason"] == "材料不全"
