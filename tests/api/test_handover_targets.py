"""Handing work over reaches only people who may do it: reassign (supervisors), transfer (the
person working the task). A citizen, a user of another role, or someone outside the
supervisor's subtree is refused, and nothing changes."""
from __future__ import annotations

import pytest

from tests.conftest import DATA
from tests.factories.api import people_signed_in
from tests.factories.directory import make_org_tree

PEOPLE = [("root", "admin", None), ("zhang", "citizen", None), ("liu", "citizen", None),
          ("wang", "dispatcher", "CITY"), ("zhao", "handler", "D-EAST-CG"), ("li", "handler", "D-EAST-CG"),
          ("xi", "handler", "D-WEST-CG"), ("qian", "inspector", "D-EAST"),
          ("du", "supervisor", "D-EAST"), ("wu", "supervisor", "CITY")]


@pytest.fixture
def world(client, container):
    make_org_tree(container)
    users = people_signed_in(client, container, PEOPLE)
    assert users["root"].upload(("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())).status_code == 201
    case = users["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                          "data": {"title": "路灯", "location": "和平路"}}).get_json()
    users["wang"].post(f"/tasks/{case['tasks'][0]['id']}/complete",
                       {"data": {"valid": True, "department": "D-EAST-CG"}})
    users["handle"] = users["zhao"].get("/tasks").get_json()[0]
    users["case"] = case
    return users


def _reassign(world, who: str, **target):
    return world[who].post(f"/tasks/{world['handle']['id']}/reassign", {"reason": "指定专人"} | target)


def _unchanged(world) -> None:
    task = world["zhao"].get(f"/tasks/{world['handle']['id']}").get_json()
    assert (task["assignee"], task["org_unit"], task["state"]) == (None, "D-EAST-CG", "open")


@pytest.mark.parametrize("target, why", [
    ("zhang", "citizen"), ("liu", "citizen"),       # the finding: a citizen got the handler's step
    ("qian", "another role"), ("root", "admin"), ("wang", "another role"),
])
def test_reassign_refuses_anyone_who_may_not_work_the_task(world, target, why):
    resp = _reassign(world, "du", to_user=target)
    assert resp.status_code == 422, (why, resp.get_json())
    assert resp.get_json()["error"]["fields"]["to_user"]
    _unchanged(world)
    if target != "root":  # admins see every task, and still may not work this one
        assert world[target].get(f"/tasks/{world['handle']['id']}").status_code == 404
    assert world[target].post(f"/tasks/{world['handle']['id']}/complete",
                              {"data": {"result": "x"}}).status_code in (403, 404)


def test_reassign_stays_inside_the_supervisors_subtree(world):
    # du supervises D-EAST: xi handles in D-WEST, outside it
    assert _reassign(world, "du", to_user="xi").status_code == 422
    assert _reassign(world, "du", to_org_unit="D-WEST-CG").status_code == 422
    _unchanged(world)
    # the city supervisor oversees both
    assert _reassign(world, "wu", to_user="xi").status_code == 200
    assert [t["id"] for t in world["xi"].get("/tasks?scope=mine").get_json()] == [world["handle"]["id"]]


def test_reassign_to_a_handler_in_the_subtree(world):
    assert _reassign(world, "du", to_user="li").status_code == 200
    assert [t["id"] for t in world["li"].get("/tasks?scope=mine").get_json()] == [world["handle"]["id"]]


def test_reassign_to_an_org_unit_where_nobody_holds_the_role(world):
    resp = _reassign(world, "wu", to_org_unit="D-WEST")  # a district office with no handler
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"]["to_org_unit"]
    _unchanged(world)


def test_transfer_to_an_org_unit_where_nobody_holds_the_role(world):
    resp = world["zhao"].post(f"/tasks/{world['handle']['id']}/transfer",
                              {"to_org_unit": "D-WEST", "reason": "属地不符"})
    assert resp.status_code == 422
    _unchanged(world)


def test_unknown_or_inactive_target_names_the_field(world):
    resp = _reassign(world, "du", to_user="nobody")
    assert resp.status_code == 400 and "to_user" in resp.get_json()["error"]["fields"]
    _unchanged(world)
