"""加签 / 减签 on the four approval shapes: signers added in parallel (the round's ratio counts
them), before a step (it waits) or after it (its completion waits); pending ones taken off
(the round recounts). Every new row has its own deadline; nothing is left ticking on a row
that is done; the history says who, whom and why."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import Task, Timer
from tests.conformance.invariant import assert_consistent
from tests.factories.approvals import approval_world


@pytest.fixture
def people(client, container):
    return approval_world(client, container, extra_people=[("h2", "handler", None)])


def _check(container, case_id: int) -> None:
    """Both invariants, and for signer rows: an open one with a deadline has one breach timer,
    and no pending deadline timer sits on a signer row that is cancelled or completed."""
    assert_consistent(container, case_id)
    with container.uow() as uow:
        s = uow.session
        for row in s.scalars(select(Task).where(Task.case_id == case_id, Task.kind == "signer")):
            due = s.scalars(select(Timer).where(Timer.task_id == row.id, Timer.state == "pending",
                                                Timer.kind == "sla-due")).all()
            live = row.state in ("open", "claimed") and row.paused_at is None
            assert len(due) == (1 if live and row.due_at else 0), (row.id, row.state, len(due))


def _applied(people, container, key: str) -> dict:
    case = people["zhang"].post("/cases", {"process_key": key, "data": {"title": "开办餐馆"}}).get_json()
    assert people["sun"].post(f"/tasks/{case['tasks'][0]['id']}/complete",
                              {"data": {"apply_ok": True}}).status_code == 200
    _check(container, case["id"])
    return case


def _task(people, name: str) -> dict:
    [task] = people[name].get("/tasks").get_json()
    return task


def _sign(people, container, name: str, approved: bool = True, comment: str = "同意") -> dict:
    task = _task(people, name)
    resp = people[name].post(f"/tasks/{task['id']}/complete", {"data": {"approved": approved}, "comment": comment})
    assert resp.status_code == 200, resp.get_json()
    _check(container, task["case_id"])
    return resp.get_json()


def _change(people, container, who: str, task_id: int, what: str, body: dict, status: int = 200):
    resp = people[who].post(f"/tasks/{task_id}/{what}", body)
    assert resp.status_code == status, resp.get_json()
    _check(container, _case_of(container, task_id))
    return resp.get_json()


def _case_of(container, task_id: int) -> int:
    with container.uow() as uow:
        return uow.session.get(Task, task_id).case_id


def _steps(people, case_id: int) -> list[str]:
    return sorted(t["element_id"] for t in people["root"].get(f"/cases/{case_id}").get_json()["tasks"])


def _history(people, case_id: int, action: str) -> list[tuple]:
    history = people["root"].get(f"/cases/{case_id}").get_json()["history"]
    return [(h["actor"], h["detail"].get("users"), h["detail"].get("position") or h["detail"].get("positions"),
             h["reason"])
            for h in history if h["action"] == action]


def _row(container, task_id: int) -> Task:
    with container.uow() as uow:
        row = uow.session.get(Task, task_id)
        uow.session.expunge(row)
        return row


def _timers(container, task_id: int) -> list[str]:
    with container.uow() as uow:
        return sorted(uow.session.scalars(select(Timer.kind).where(Timer.task_id == task_id, Timer.state == "pending")))


def test_a_parallel_signer_joins_the_countersign_round(people, container):
    case = _applied(people, container, "countersign")
    mine = _task(people, "a1")
    path = f"/tasks/{mine['id']}/add-signers"
    for body, field in [({"users": ["a4"], "position": "parallel"}, "reason"),
                        ({"users": ["a4"], "position": "sideways", "reason": "x"}, "position"),
                        ({"position": "parallel", "reason": "x"}, "users")]:
        resp = people["a1"].post(path, body)
        assert resp.status_code == 400 and field in resp.get_json()["error"]["fields"], resp.get_json()
    for outsider in ("zhang", "a2", "h1"):
        assert people[outsider].post(path, {"users": ["a4"], "position": "parallel", "reason": "x"}).status_code == 404
    assert people["root"].post(path, {"users": ["a4"], "position": "parallel", "reason": "x"}).status_code == 403
    for target in ("a2", "zhang", "h1", "nobody"):
        refused = people["a1"].post(path, {"users": [target], "position": "parallel", "reason": "x"})
        assert refused.status_code == 422 and "users" in refused.get_json()["error"]["fields"], target
    added = _change(people, container, "a1", mine["id"], "add-signers",
                    {"users": ["a4"], "position": "parallel", "reason": "需法务意见"})
    [row] = added["tasks"]
    assert row["assignee"] == "a4" and row["due_at"] and _timers(container, row["id"]).count("sla-due") == 1
    assert _steps(people, case["id"]) == ["sign"] * 4
    _sign(people, container, "a2")
    _sign(people, container, "a3")
    assert _steps(people, case["id"]) == ["sign", "sign"]  # 2/4 < 2/3
    _sign(people, container, "a4")
    assert _steps(people, case["id"]) == ["archive"]  # 3/4 ≥ 2/3
    assert _timers(container, mine["id"]) == []
    assert _history(people, case["id"], "task.signers_added") == [("a1", ["a4"], "parallel", "需法务意见")]


def test_removing_pending_signers_recounts_the_round(people, container):
    case = _applied(people, container, "countersign")
    mine = _task(people, "a1")
    _change(people, container, "a1", mine["id"], "add-signers", {"users": ["a4"], "position": "parallel", "reason": "x"})
    a4 = _task(people, "a4")
    _sign(people, container, "a2")
    _change(people, container, "a1", mine["id"], "remove-signers", {"users": ["a2"], "reason": "x"}, 409)
    _change(people, container, "a1", mine["id"], "remove-signers", {"users": ["h1"], "reason": "x"}, 422)
    assert people["zhang"].post(f"/tasks/{mine['id']}/remove-signers", {"users": ["a4"], "reason": "x"}).status_code == 404
    assert people["a1"].post(f"/tasks/{mine['id']}/remove-signers", {"users": ["a4"]}).status_code == 400
    _sign(people, container, "a3")
    assert _steps(people, case["id"]) == ["sign", "sign"]  # 2/4
    # without a4 the round is 2/3: complete, and the case moves on in the same request
    _change(people, container, "a1", mine["id"], "remove-signers", {"users": ["a4"], "reason": "无需法务"})
    assert _steps(people, case["id"]) == ["archive"]
    assert _row(container, a4["id"]).state == "cancelled" and _timers(container, a4["id"]) == []
    assert _history(people, case["id"], "task.signers_removed") == [("a1", ["a4"], {"a4": "round"}, "无需法务")]


def test_the_last_pending_signer_stays(people, container):
    case = _applied(people, container, "or_sign")
    mine = _task(people, "a1")
    wu = people["wu"]  # a supervisor overseeing the step may take signers off too
    assert wu.post(f"/tasks/{mine['id']}/remove-signers", {"users": ["a2"], "reason": "休假"}).status_code == 200
    _check(container, case["id"])
    _change(people, container, "a1", mine["id"], "remove-signers", {"users": ["a3", "a1"], "reason": "x"}, 422)
    _change(people, container, "a1", mine["id"], "remove-signers", {"users": ["a3"], "reason": "回避"})
    assert _steps(people, case["id"]) == ["sign"]
    _change(people, container, "a1", mine["id"], "add-signers", {"users": ["a4"], "position": "parallel", "reason": "x"})
    _sign(people, container, "a4")
    assert _steps(people, case["id"]) == ["archive"]  # any one signature ends an or-sign
    assert _timers(container, mine["id"]) == [] and _row(container, mine["id"]).state == "cancelled"


def test_a_sequential_chain_ends_early_without_its_third(people, container):
    case = _applied(people, container, "sequential_sign")
    mine = _task(people, "a1")
    _change(people, container, "a1", mine["id"], "add-signers", {"users": ["a4"], "position": "parallel", "reason": "x"}, 422)
    assert people["a2"].post(f"/tasks/{mine['id']}/remove-signers", {"users": ["a3"], "reason": "x"}).status_code == 404
    assert people["root"].post(f"/tasks/{mine['id']}/remove-signers", {"users": ["a3"], "reason": "x"}).status_code == 403
    _change(people, container, "a1", mine["id"], "remove-signers", {"users": ["a3"], "reason": "回避"})
    assert _history(people, case["id"], "task.signers_removed") == [("a1", ["a3"], {"a3": "round"}, "回避")]
    _sign(people, container, "a1")
    second = _task(people, "a2")
    _change(people, container, "a2", second["id"], "remove-signers", {"users": ["a1"], "reason": "x"}, 409)
    _sign(people, container, "a2")
    assert _steps(people, case["id"]) == ["archive"]
    assert people["a3"].get("/tasks").get_json() == []


def test_signers_before_a_department_step(people, container, clock):
    case = _applied(people, container, "department_approval")
    market = _task(people, "a1")
    assert market["element_id"] == "dept_market"
    due_before = _row(container, market["id"]).due_at
    _change(people, container, "a1", market["id"], "add-signers",
            {"users": ["a3", "a4"], "position": "before", "reason": "请先会签"})
    parent = _row(container, market["id"])
    assert parent.state == "waiting" and parent.assignee_id is not None and _timers(container, market["id"]) == []
    assert people["a2"].post(f"/tasks/{market['id']}/remove-signers", {"users": ["a4"], "reason": "x"}).status_code == 403
    assert people["i1"].post(f"/tasks/{market['id']}/remove-signers", {"users": ["a4"], "reason": "x"}).status_code == 404
    a4 = _task(people, "a4")
    assert a4["due_at"] and _timers(container, a4["id"]).count("sla-due") == 1
    form = people["a4"].get(f"/tasks/{a4['id']}").get_json()["form"]
    assert [f["name"] for f in form["fields"]] == ["approved"]  # a signer approves, not the step's form
    _change(people, container, "a1", market["id"], "remove-signers", {"users": ["a4"], "reason": "不必"})
    assert _timers(container, a4["id"]) == []
    clock.advance(hours=2)
    assert people["a1"].post(f"/tasks/{market['id']}/complete", {"data": {"dept_market_ok": True}}).status_code == 409
    _sign(people, container, "a3", False, "建议补充材料")  # not a veto: the owner decides
    reopened = _row(container, market["id"])
    assert reopened.state == "claimed" and reopened.due_at > due_before
    assert _timers(container, market["id"]).count("sla-due") == 1
    history = people["root"].get(f"/cases/{case['id']}").get_json()["history"]
    assert [(h["actor"], h["detail"]["approved"], h["comment"]) for h in history if h["action"] == "task.signed"] == [
        ("a3", False, "建议补充材料")]
    resp = people["a1"].post(f"/tasks/{market['id']}/complete", {"data": {"dept_market_ok": True}})
    assert resp.status_code == 200
    _check(container, case["id"])


def test_signers_after_a_department_step(people, container):
    case = _applied(people, container, "department_approval")
    health = _task(people, "h1")
    for who in ("a1", "i1"):
        _sign_dept(people, container, who)
    _change(people, container, "h1", health["id"], "add-signers", {"users": ["h2"], "position": "after", "reason": "复核"})
    assert people["h2"].get("/tasks").get_json() == []  # not theirs until the step is done
    held = people["h1"].post(f"/tasks/{health['id']}/complete", {"data": {"dept_health_ok": True}, "comment": "合格"})
    assert held.status_code == 200
    _check(container, case["id"])
    assert _row(container, health["id"]).state == "waiting" and _steps(people, case["id"]) == ["dept_health"]
    signer = _task(people, "h2")
    assert signer["due_at"] and _timers(container, signer["id"]).count("sla-due") == 1
    _sign(people, container, "h2", True, "复核通过")
    assert _steps(people, case["id"]) == ["result"]
    history = people["root"].get(f"/cases/{case['id']}").get_json()["history"]
    assert [(h["actor"], h["detail"].get("element")) for h in history if h["action"] == "task.completed"][-1] == (
        "h1", "dept_health")
    assert _timers(container, signer["id"]) == [] and _timers(container, health["id"]) == []


def test_an_after_signer_who_rejects_sends_the_step_back(people, container):
    case = _applied(people, container, "department_approval")
    health = _task(people, "h1")
    _change(people, container, "h1", health["id"], "add-signers", {"users": ["h2"], "position": "after", "reason": "复核"})
    assert people["h1"].post(f"/tasks/{health['id']}/complete", {"data": {"dept_health_ok": True}}).status_code == 200
    _sign(people, container, "h2", False, "数据有误")
    assert _row(container, health["id"]).state == "claimed"
    assert _timers(container, health["id"]).count("sla-due") == 1
    history = people["root"].get(f"/cases/{case['id']}").get_json()["history"]
    [signed] = [h for h in history if h["action"] == "task.signed"]
    assert signed["comment"] == "数据有误" and "back with its owner" in signed["detail"]["outcome"]
    resp = people["h1"].post(f"/tasks/{health['id']}/complete", {"data": {"dept_health_ok": False}})
    assert resp.status_code == 200
    _check(container, case["id"])
    assert "dept_health" not in _steps(people, case["id"])


def _sign_dept(people, container, who: str) -> None:
    task = _task(people, who)
    resp = people[who].post(f"/tasks/{task['id']}/complete", {"data": {f"{task['element_id']}_ok": True}})
    assert resp.status_code == 200, resp.get_json()
    _check(container, task["case_id"])


def test_a_round_restored_in_a_fresh_process_counts_and_takes_signers(people, container):
    """Cases are restored on diagrams parsed once per process: a worker that parsed the diagram
    afresh must still count each signature and add a signer to the running round."""
    from engine.bpmn import loader

    def fresh() -> None:
        loader._cache.clear()
        container.cache.forget("definition")

    case = _applied(people, container, "countersign")
    mine = _task(people, "a1")
    fresh()
    _sign(people, container, "a2")
    fresh()
    _change(people, container, "a1", mine["id"], "add-signers", {"users": ["a4"], "position": "parallel", "reason": "x"})
    fresh()
    _sign(people, container, "a3")
    assert _steps(people, case["id"]) == ["sign", "sign"]  # 2/4
    fresh()
    _sign(people, container, "a4")
    assert _steps(people, case["id"]) == ["archive"]
    assert people["root"].get(f"/cases/{case['id']}").get_json()["data"]["signers"] == ["a1", "a2", "a3", "a4"]
