"""委派 (delegate → resolve → the owner completes) and 抄送 (read-only copies of a case) through
the API, on the approval shapes they are used on, with the engine's invariants after every step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, Task, Timer
from tests.conformance.invariant import assert_consistent
from tests.factories.api import ApiUser
from tests.factories.approvals import approval_world
from tests.factories.directory import make_org_tree


@pytest.fixture
def people(client, container):
    make_org_tree(container)
    # op1: a member of an org unit who works none of these steps
    return approval_world(client, container, extra_people=[("op1", "operator", "D-WEST")])


def _checked(container, case_id: int, resp, status: int = 200):
    """The response has ``status``, and the case neither stopped nor drifted from its workflow."""
    assert resp.status_code == status, resp.get_json()
    assert_consistent(container, case_id)
    return resp.get_json()


def _start(container, people, key: str) -> int:
    """A case of ``key`` past its first step (the clerk's apply)."""
    case = people["sun"].post("/cases", {"process_key": key, "data": {"title": f"{key} 申请"}})
    case_id = _checked(container, case.get_json()["id"], case, 201)["id"]
    apply = next(t for t in people["sun"].get("/tasks?scope=group").get_json() if t["case_id"] == case_id)
    _checked(container, case_id, people["sun"].post(f"/tasks/{apply['id']}/complete", {"data": {"apply_ok": True}}))
    return case_id


def _task(user: ApiUser, case_id: int, element: str, scope: str = "inbox") -> dict:
    return next(t for t in user.get(f"/tasks?scope={scope}").get_json()
                if t["case_id"] == case_id and t["element_id"] == element)


def _sla(container, task_id: int) -> tuple:
    with container.session_factory() as s:
        due = s.scalar(select(Task.due_at).where(Task.id == task_id))
        timers = s.scalars(select(Timer.id).where(Timer.task_id == task_id, Timer.kind == "sla-due",
                                                  Timer.state == "pending")).all()
    return due, timers


def test_a_countersign_signer_delegates_and_completes_what_the_delegate_resolved(container, people):
    a1, a2, a4 = people["a1"], people["a2"], people["a4"]
    case_id = _start(container, people, "countersign")
    sign = _task(a1, case_id, "sign", "mine")
    before = _sla(container, sign["id"])
    assert before[0] is not None and len(before[1]) == 1

    body = _checked(container, case_id, a1.post(f"/tasks/{sign['id']}/delegate", {"to_user": "a4", "reason": "出差"}))
    assert body == {"task_id": sign["id"], "owner": "a1", "assignee": "a4", "delegation": "pending"}
    mine = _task(a4, case_id, "sign", "mine")
    assert (mine["owner"], mine["assignee"], mine["delegation"]) == ("a1", "a4", "pending")
    owner_view = a1.get(f"/tasks/{sign['id']}")
    assert owner_view.status_code == 200 and owner_view.get_json()["can_act"] is False
    assert _sla(container, sign["id"]) == before  # the deadline runs on, neither reset nor lost

    _checked(container, case_id, a1.post(f"/tasks/{sign['id']}/complete", {"data": {"approved": True}}), 403)
    refused = _checked(container, case_id, a4.post(f"/tasks/{sign['id']}/complete", {"data": {"approved": True}}), 409)
    assert "resolve it first" in refused["error"]["message"]
    _checked(container, case_id, a2.post(f"/tasks/{sign['id']}/resolve", {"data": {"approved": True}}), 404)
    _checked(container, case_id, a4.post(f"/tasks/{sign['id']}/resolve",
                                         {"data": {"approved": True}, "comment": "材料齐全，同意"}))
    back = a1.get(f"/tasks/{sign['id']}").get_json()
    assert (back["assignee"], back["owner"], back["delegation"], back["draft"]) == ("a1", "a1", "resolved",
                                                                                    {"approved": True})
    assert _sla(container, sign["id"]) == before
    _checked(container, case_id, a4.post(f"/tasks/{sign['id']}/resolve", {"data": {"approved": True}}), 404)
    requester_view = people["sun"].get(f"/cases/{case_id}").get_json()
    assert all("draft" not in t for t in requester_view["tasks"])  # work in progress stays with the task

    _checked(container, case_id, a1.post(f"/tasks/{sign['id']}/complete", {"data": {}, "comment": "同意"}))
    other = _task(a2, case_id, "sign", "mine")
    done = _checked(container, case_id, a2.post(f"/tasks/{other['id']}/complete", {"data": {"approved": True}}))
    assert [t["element_id"] for t in done["next_tasks"]] == ["archive"]  # a1's draft counted as a1's approval

    history = a1.get(f"/cases/{case_id}").get_json()["history"]
    trail = [(h["action"], h["actor"], h["reason"], h["comment"]) for h in history
             if h["action"] in ("task.delegated", "task.resolved") or
             (h["action"] == "task.completed" and h["actor"] in ("a1", "a2"))]
    assert trail == [("task.delegated", "a1", "出差", None), ("task.resolved", "a4", None, "材料齐全，同意"),
                     ("task.completed", "a1", None, "同意"), ("task.completed", "a2", None, None)]
    with container.session_factory() as s:
        row = s.get(Task, sign["id"])
        assert (row.state, row.completed_by_id is not None, row.owner_id == row.completed_by_id) == (
            "completed", True, True)


def test_department_approval_delegation_is_refused_to_the_wrong_people(container, people):
    a1, a2, a3, a4 = people["a1"], people["a2"], people["a3"], people["a4"]
    case_id = _start(container, people, "department_approval")
    market = _task(a2, case_id, "dept_market", "group")
    url = f"/tasks/{market['id']}/delegate"
    for target, status, in [("zhang", 422), ("h1", 422), ("a2", 422), ("nobody", 400)]:
        resp = _checked(container, case_id, a2.post(url, {"to_user": target, "reason": "忙"}), status)
        assert "to_user" in resp["error"]["fields"], resp
    assert "to_user" in _checked(container, case_id, a2.post(url, {"reason": "忙"}), 400)["error"]["fields"]
    assert "reason" in _checked(container, case_id, a2.post(url, {"to_user": "a3"}), 400)["error"]["fields"]
    _checked(container, case_id, people["i1"].post(url, {"to_user": "a3", "reason": "忙"}), 404)

    _checked(container, case_id, a2.post(url, {"to_user": "a3", "reason": "忙"}))  # claims it implicitly
    assert _task(a3, case_id, "dept_market", "mine")["owner"] == "a2"
    _checked(container, case_id, a2.post(url, {"to_user": "a4", "reason": "again"}), 403)
    _checked(container, case_id, a3.post(url, {"to_user": "a4", "reason": "again"}), 409)
    assert "resolve it first" in _checked(container, case_id, a3.post(
        f"/tasks/{market['id']}/complete", {"data": {"dept_market_ok": True}}), 409)["error"]["message"]
    for verb, body in (("transfer", {"to_user": "a4", "reason": "转给别人"}), ("unclaim", None),
                       ("return", {"reason": "退回"})):  # the delegate works it for the owner, no more
        _checked(container, case_id, a3.post(f"/tasks/{market['id']}/{verb}", body), 409)
    assert _task(a3, case_id, "dept_market", "mine")["owner"] == "a2"
    _checked(container, case_id, a1.post(f"/tasks/{market['id']}/complete", {"data": {}}), 403)
    _checked(container, case_id, people["i1"].post(f"/tasks/{market['id']}/complete", {"data": {}}), 404)
    assert people["i1"].get(f"/tasks/{market['id']}").status_code == 404
    bad = _checked(container, case_id, a3.post(f"/tasks/{market['id']}/resolve",
                                                {"data": {"dept_market_ok": "perhaps"}}), 400)
    assert "dept_market_ok" in bad["error"]["fields"]
    assert "data" in _checked(container, case_id, a3.post(f"/tasks/{market['id']}/resolve", {"data": []}), 400)["error"]["fields"]
    _checked(container, case_id, a3.post(f"/tasks/{market['id']}/resolve", {"data": {"dept_market_ok": True}}))

    # 转办 after the resolve: a4 takes the task over outright, the draft with it
    _checked(container, case_id, a2.post(f"/tasks/{market['id']}/transfer", {"to_user": "a4", "reason": "调岗"}))
    moved = a4.get(f"/tasks/{market['id']}").get_json()
    assert (moved["assignee"], moved["owner"], moved["delegation"]) == ("a4", None, None)
    _checked(container, case_id, a4.post(f"/tasks/{market['id']}/complete", {"data": {}}))
    with container.session_factory() as s:
        spiff_data = s.scalar(select(AuditEvent.detail).where(
            AuditEvent.task_id == market["id"], AuditEvent.action == "task.completed"))
    assert spiff_data["data"]["dept_market_ok"] is True


def test_a_copied_case_can_be_read_but_not_worked(container, people):
    a1, h1, op1, wu = people["a1"], people["h1"], people["op1"], people["wu"]
    case_id = _start(container, people, "countersign")
    sign = _task(a1, case_id, "sign", "mine")
    url = f"/tasks/{sign['id']}/cc"
    assert h1.get(f"/cases/{case_id}").status_code == 404
    assert op1.get(f"/cases/{case_id}").status_code == 404

    for body, status, field in [({"users": ["zhang"]}, 422, "users"), ({"users": ["nobody"]}, 400, "users"),
                                ({"org_units": ["NOPE"]}, 400, "org_units"), ({"note": "x"}, 400, "users"),
                                ({"users": "h1"}, 400, "users")]:
        assert field in _checked(container, case_id, a1.post(url, body), status)["error"]["fields"]
    _checked(container, case_id, h1.post(url, {"users": ["h1"]}), 404)  # not theirs to copy

    sent = _checked(container, case_id, a1.post(url, {"users": ["h1"], "org_units": ["D-WEST"], "note": "请知悉"}), 201)
    assert [c.get("user") or c.get("org_unit") for c in sent["copies"]] == ["h1", "D-WEST"]
    _checked(container, case_id, wu.post(url, {"users": ["i1"]}), 201)  # a supervisor overseeing it
    for reader in (h1, op1):
        case = reader.get(f"/cases/{case_id}")
        assert case.status_code == 200 and case.get_json()["number"]
        assert reader.get(f"/tasks/{sign['id']}").status_code == 404
        _checked(container, case_id, reader.post(f"/tasks/{sign['id']}/claim"), 404)
        _checked(container, case_id, reader.post(f"/tasks/{sign['id']}/complete", {"data": {"approved": True}}), 404)
    assert people["zhang"].get(f"/cases/{case_id}").status_code == 404

    inbox = h1.get("/cc?unread=1").get_json()
    assert [(c["case_id"], c["note"], c["by"], c["read_at"]) for c in inbox] == [(case_id, "请知悉", "a1", None)]
    assert [c["case_id"] for c in op1.get("/cc").get_json()] == [case_id]
    assert people["a2"].post(f"/cc/{inbox[0]['id']}/read").status_code == 404
    read = _checked(container, case_id, h1.post(f"/cc/{inbox[0]['id']}/read"))
    assert read["read_at"] is not None
    assert h1.get("/cc?unread=1").get_json() == [] and len(h1.get("/cc").get_json()) == 1
    with container.session_factory() as s:
        copied = s.scalars(select(AuditEvent.detail).where(AuditEvent.case_id == case_id,
                                                           AuditEvent.action == "case.copied")
                           .order_by(AuditEvent.seq)).all()
    assert [d["users"] for d in copied] == [["h1"], ["i1"]]
