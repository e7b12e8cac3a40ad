"""会签 / 或签 / 依次 as drawn: every signer has a row with its own deadline, the diagram's
completion condition ends the round (a 2/3 ratio, any one, a veto), and each approval's comment
is in the history."""
from __future__ import annotations

import pytest

from tests.conformance.invariant import assert_consistent
from tests.factories.approvals import approval_world


@pytest.fixture
def people(client, container):
    return approval_world(client, container)


def _applied(people, container, key: str) -> dict:
    case = people["zhang"].post("/cases", {"process_key": key, "data": {"title": "开办餐馆"}}).get_json()
    resp = people["sun"].post(f"/tasks/{case['tasks'][0]['id']}/complete", {"data": {"apply_ok": True}})
    assert resp.status_code == 200
    assert_consistent(container, case["id"])
    return case


def _sign(people, container, name: str, approved: bool, comment: str) -> dict:
    [task] = people[name].get("/tasks").get_json()
    resp = people[name].post(f"/tasks/{task['id']}/complete", {"data": {"approved": approved}, "comment": comment})
    assert resp.status_code == 200, resp.get_json()
    assert_consistent(container, task["case_id"])
    return resp.get_json()


def _steps(people, case_id: int) -> list[str]:
    return sorted(t["element_id"] for t in people["root"].get(f"/cases/{case_id}").get_json()["tasks"])


def test_countersign_two_of_three_with_a_deadline_per_signer(people, container, clock):
    case = _applied(people, container, "countersign")
    rows = [people[n].get("/tasks").get_json() for n in ("a1", "a2", "a3")]
    assert [len(r) for r in rows] == [1, 1, 1] and len({r[0]["id"] for r in rows}) == 3
    assert all(r[0]["due_at"] for r in rows)  # 3wd each
    clock.advance(hours=3)
    _sign(people, container, "a2", True, "同意")
    assert _steps(people, case["id"]) == ["sign", "sign"]  # 1/3 < 2/3
    _sign(people, container, "a3", True, "同意，请注意消防")
    assert _steps(people, case["id"]) == ["archive"]  # 2/3: the third signer's row is withdrawn
    assert people["a1"].get("/tasks").get_json() == []
    history = people["root"].get(f"/cases/{case['id']}").get_json()["history"]
    assert [(h["actor"], h["comment"]) for h in history if h["action"] == "task.completed" and h["comment"]] == [
        ("a2", "同意"), ("a3", "同意，请注意消防")]


def test_a_veto_ends_the_countersign_round(people, container):
    case = _applied(people, container, "countersign")
    _sign(people, container, "a1", False, "选址不符合规划")
    view = people["root"].get(f"/cases/{case['id']}").get_json()
    assert view["status"] == "completed" and view["data"]["approved"] is False  # the rejected end


def test_or_sign_any_one(people, container):
    case = _applied(people, container, "or_sign")
    _sign(people, container, "a3", True, "同意")
    assert _steps(people, case["id"]) == ["archive"]
    assert [people[n].get("/tasks").get_json() for n in ("a1", "a2")] == [[], []]


def test_sequential_chain_one_after_another(people, container):
    case = _applied(people, container, "sequential_sign")
    for name, others in (("a1", ("a2", "a3")), ("a2", ("a1", "a3")), ("a3", ("a1", "a2"))):
        assert all(people[o].get("/tasks").get_json() == [] for o in others)
        _sign(people, container, name, True, f"{name} 同意")
    assert _steps(people, case["id"]) == ["archive"]


def test_a_signer_cannot_sign_for_another(people, container):
    _applied(people, container, "countersign")
    [task] = people["a1"].get("/tasks").get_json()
    assert people["a2"].post(f"/tasks/{task['id']}/complete", {"data": {"approved": True}}).status_code in (403, 404)
    assert people["zhang"].post(f"/tasks/{task['id']}/complete", {"data": {"approved": True}}).status_code == 404
