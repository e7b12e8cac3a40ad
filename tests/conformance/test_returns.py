"""退回 to any earlier step and 撤回, on the approval shapes: what is discarded (rows, deadline
timers, parallel branches), who gets the reopened step, and that neither leaks state over loops."""
from __future__ import annotations

import gzip

import pytest
from sqlalchemy import select

from engine.models import Case, Task, Timer
from tests.conformance.invariant import assert_consistent
from tests.factories.api import ApiUser
from tests.factories.approvals import approval_world
from tests.factories.bpmn import diagram, end, flow, start, user_task


def _step(task_id: str, groups: str = "clerk") -> str:
    return user_task(task_id, groups, field=f"{task_id}_ok", extra_attrs='camunda:dueDate="2wd"')


# a branch with two steps, to return inside it: apply → (m1 → m2 | health) → result
TWO_STEP_BRANCH = diagram("branch_review", "\n".join([
    start("title"), _step("apply"), '<bpmn:parallelGateway id="split"/>', _step("m1", "approver"),
    _step("m2", "approver"), _step("health", "handler"), '<bpmn:parallelGateway id="join"/>', _step("result"), end(),
    flow("start", "apply", "split", "m1", "m2", "join"), flow("split", "health", "join"), flow("join", "result", "end")]))
LINEAR = diagram("linear_review", "\n".join([
    start("title"), _step("apply"), _step("review", "approver"), _step("archive"), end(),
    flow("start", "apply", "review", "archive", "end")]))


@pytest.fixture
def users(client, container) -> dict[str, ApiUser]:
    return approval_world(client, container,
                          extra_diagrams=[("branch_review", TWO_STEP_BRANCH), ("linear_review", LINEAR)])


check = assert_consistent


def start_case(users, container, key: str) -> int:
    case = users["zhang"].post("/cases", {"process_key": key, "data": {"title": "申请"}}).get_json()
    check(container, case["id"])
    return case["id"]


def rows(container, case_id: int) -> list[Task]:
    with container.session_factory() as s:
        return list(s.scalars(select(Task).where(Task.case_id == case_id).order_by(Task.id)))


def live(container, case_id: int, element: str) -> Task:
    found = [r for r in rows(container, case_id) if r.element_id == element and r.state in ("open", "claimed")]
    assert len(found) == 1, (element, found)
    return found[0]


def act(users, container, case_id: int, who: str, verb: str, element: str, body: dict | None = None, status=200):
    """POST ``verb`` on the live row of ``element`` as ``who``, then check the invariants."""
    task_id = live(container, case_id, element).id
    if verb == "complete":
        body = {"data": {f"{element}_ok": True}} if body is None else body
    resp = users[who].post(f"/tasks/{task_id}/{verb}", body)
    assert resp.status_code == status, resp.get_json()
    check(container, case_id)
    return resp.get_json()


def pending_deadlines(container, task_ids: list[int]) -> int:
    with container.session_factory() as s:
        return len(s.scalars(select(Timer).where(Timer.task_id.in_(task_ids), Timer.state == "pending",
                                                 Timer.kind.in_(("sla-warn", "sla-due")))).all())


def assert_reopened_fresh(container, case_id: int, element: str, before: Task, clock) -> None:
    """The reopened step is claimed by whoever completed it and its clock starts now."""
    completed = [r for r in rows(container, case_id) if r.element_id == element and r.state == "completed"]
    again = live(container, case_id, element)
    assert (again.state, again.assignee_id) == ("claimed", completed[-1].completed_by_id)
    assert again.sla_started_at.replace(tzinfo=None) == clock.now().replace(tzinfo=None)
    assert again.due_at.replace(tzinfo=None) > before.due_at.replace(tzinfo=None)


def last_audit(users, case_id: int, action: str) -> dict:
    history = users["root"].get(f"/cases/{case_id}").get_json()["history"]
    return [h for h in history if h["action"] == action][-1]


def test_return_inside_a_branch_leaves_the_other_branches_alone(users, container):
    case_id = start_case(users, container, "branch_review")
    act(users, container, case_id, "sun", "complete", "apply")
    health = act(users, container, case_id, "h1", "claim", "health")["id"]
    act(users, container, case_id, "a1", "complete", "m1")
    m2 = live(container, case_id, "m2").id
    targets = users["a2"].get(f"/tasks/{m2}/return-targets").get_json()
    assert [(t["element_id"], t["completed_by"]) for t in targets] == [("m1", "a1"), ("apply", "sun")]
    act(users, container, case_id, "a2", "return", "m2", {"reason": "意见不明确"})
    assert live(container, case_id, "health").id == health  # untouched, still claimed by h1
    assert live(container, case_id, "m1").assignee_id is not None  # back to a1
    assert last_audit(users, case_id, "task.returned")["detail"] == {"to_element": "m1", "cancelled": ["m2"]}
    act(users, container, case_id, "h1", "complete", "health")
    act(users, container, case_id, "a1", "complete", "m1")
    act(users, container, case_id, "a2", "complete", "m2")
    result = live(container, case_id, "result").id
    targets = users["sun"].get(f"/tasks/{result}/return-targets").get_json()
    # after the join only the branch that arrived last is on the way back
    assert [(t["element_id"], t["completed_by"]) for t in targets] == [("m2", "a2"), ("m1", "a1"), ("apply", "sun")]
    act(users, container, case_id, "sun", "return", "result", {"reason": "重审", "to_element": "m1"})
    assert live(container, case_id, "m1").assignee_id == users_id(container, "a1")
    act(users, container, case_id, "a1", "complete", "m1")
    act(users, container, case_id, "a2", "complete", "m2")
    assert live(container, case_id, "result")


def test_return_after_the_join_reopens_the_last_branch_and_joins_again(users, container):
    case_id = start_case(users, container, "department_approval")
    act(users, container, case_id, "sun", "complete", "apply")
    for who, element in [("a1", "dept_market"), ("h1", "dept_health"), ("i1", "dept_fire")]:
        act(users, container, case_id, who, "complete", element)
    result = live(container, case_id, "result").id
    targets = users["sun"].get(f"/tasks/{result}/return-targets").get_json()
    assert [t["element_id"] for t in targets] == ["dept_fire", "apply"]  # other branches are not on its path
    act(users, container, case_id, "sun", "return", "result", {"reason": "消防意见缺失", "to_element": "dept_fire"})
    act(users, container, case_id, "i1", "complete", "dept_fire")
    assert live(container, case_id, "result")


def test_return_before_the_split_cancels_every_branch(users, container, clock):
    case_id = start_case(users, container, "department_approval")
    first_apply = live(container, case_id, "apply")
    act(users, container, case_id, "sun", "complete", "apply")
    clock.advance(days=1)
    act(users, container, case_id, "a1", "claim", "dept_market")
    act(users, container, case_id, "h1", "complete", "dept_health")
    branches = [live(container, case_id, e).id for e in ("dept_market", "dept_fire")]
    assert pending_deadlines(container, branches) == 4
    act(users, container, case_id, "i1", "return", "dept_fire", {"reason": "申请材料不全", "to_element": "apply"})
    assert pending_deadlines(container, branches) == 0
    assert {r.id: r.state for r in rows(container, case_id) if r.id in branches} == dict.fromkeys(branches, "cancelled")
    detail = last_audit(users, case_id, "task.returned")["detail"]
    assert detail == {"to_element": "apply", "cancelled": ["dept_market", "dept_fire"]}
    assert_reopened_fresh(container, case_id, "apply", first_apply, clock)
    act(users, container, case_id, "sun", "complete", "apply")
    for who, element in [("a1", "dept_market"), ("h1", "dept_health"), ("i1", "dept_fire")]:
        act(users, container, case_id, who, "complete", element)
    assert live(container, case_id, "result")


def test_return_from_a_signer_cancels_every_signer(users, container):
    case_id = start_case(users, container, "countersign")
    act(users, container, case_id, "sun", "complete", "apply")
    signers = [r.id for r in rows(container, case_id) if r.element_id == "sign"]
    assert len(signers) == 3
    assert [t["element_id"] for t in users["a1"].get(f"/tasks/{signers[0]}/return-targets").get_json()] == ["apply"]
    resp = users["a1"].post(f"/tasks/{signers[0]}/return", {"reason": "退回申请人"})
    assert resp.status_code == 200
    check(container, case_id)
    assert {r.state for r in rows(container, case_id) if r.id in signers} == {"cancelled"}
    assert pending_deadlines(container, signers) == 0
    assert live(container, case_id, "apply").state == "claimed"


def test_after_the_signers_the_whole_round_is_one_target(users, container):
    case_id = start_case(users, container, "countersign")
    act(users, container, case_id, "sun", "complete", "apply")
    for who in ("a1", "a2"):  # 2 of 3: the round is over
        signer = next(r for r in rows(container, case_id) if r.element_id == "sign" and r.state == "claimed"
                      and r.assignee_id == users_id(container, who))
        assert users[who].post(f"/tasks/{signer.id}/complete", {"data": {"approved": True}}).status_code == 200
        check(container, case_id)
    archive = live(container, case_id, "archive").id
    targets = users["sun"].get(f"/tasks/{archive}/return-targets").get_json()
    assert [t["element_id"] for t in targets] == ["sign", "apply"]
    act(users, container, case_id, "sun", "return", "archive", {"reason": "重新会签", "to_element": "sign"})
    assert len([r for r in rows(container, case_id) if r.element_id == "sign" and r.state == "claimed"]) == 3


def users_id(container, username: str) -> int:
    from engine.models import User
    with container.session_factory() as s:
        return s.scalar(select(User.id).where(User.username == username))


def test_outsiders_and_bad_targets(users, container):
    case_id = start_case(users, container, "department_approval")
    act(users, container, case_id, "sun", "complete", "apply")
    market = act(users, container, case_id, "a1", "claim", "dept_market")["id"]
    assert users["zhang"].get(f"/tasks/{market}/return-targets").status_code == 404
    assert users["zhang"].post(f"/tasks/{market}/return", {"reason": "x"}).status_code == 404
    assert users["a2"].get(f"/tasks/{market}/return-targets").status_code == 403  # a1 holds it
    assert users["a2"].post(f"/tasks/{market}/return", {"reason": "x"}).status_code == 403
    bad = users["a1"].post(f"/tasks/{market}/return", {"reason": "x", "to_element": "dept_fire"})
    assert bad.status_code == 422 and "to_element" in bad.get_json()["error"]["fields"]
    check(container, case_id)


def test_withdraw(users, container, clock):
    case_id = start_case(users, container, "linear_review")
    first = live(container, case_id, "apply")
    act(users, container, case_id, "sun", "complete", "apply")
    clock.advance(days=1)
    act(users, container, case_id, "a1", "withdraw", "review", {"reason": "x"}, status=403)
    act(users, container, case_id, "zhang", "withdraw", "review", {"reason": "x"}, status=404)
    review = live(container, case_id, "review").id
    act(users, container, case_id, "sun", "withdraw", "review", {"reason": "填错了"})
    assert_reopened_fresh(container, case_id, "apply", first, clock)
    assert pending_deadlines(container, [review]) == 0
    audit = last_audit(users, case_id, "task.withdrawn")
    assert (audit["actor"], audit["reason"], audit["detail"]["cancelled"]) == ("sun", "填错了", ["review"])
    act(users, container, case_id, "sun", "complete", "apply")
    act(users, container, case_id, "a1", "claim", "review")
    act(users, container, case_id, "sun", "withdraw", "review", {"reason": "x"}, status=409)


def test_withdraw_after_a_split(users, container):
    case_id = start_case(users, container, "department_approval")
    act(users, container, case_id, "sun", "complete", "apply")
    act(users, container, case_id, "sun", "withdraw", "dept_health", {"reason": "补充材料"})
    act(users, container, case_id, "sun", "complete", "apply")
    act(users, container, case_id, "i1", "claim", "dept_fire")
    act(users, container, case_id, "sun", "withdraw", "dept_market", {"reason": "x"}, status=409)
    assert len([r for r in rows(container, case_id) if r.state in ("open", "claimed")]) == 3


def test_withdraw_from_signers_the_diagram_assigned(users, container):
    """Signers named by camunda:assignee have not acted yet: the applicant may still withdraw."""
    case_id = start_case(users, container, "countersign")
    act(users, container, case_id, "sun", "complete", "apply")
    signer = [r for r in rows(container, case_id) if r.element_id == "sign" and r.state == "claimed"][0]
    resp = users["sun"].post(f"/tasks/{signer.id}/withdraw", {"reason": "补充材料"})
    assert resp.status_code == 200, resp.get_json()
    check(container, case_id)
    assert [r.element_id for r in rows(container, case_id) if r.state in ("open", "claimed")] == ["apply"]
    act(users, container, case_id, "sun", "complete", "apply")
    [a1] = users["a1"].get("/tasks").get_json()
    assert users["a1"].post(f"/tasks/{a1['id']}/complete", {"data": {"approved": True}}).status_code == 200
    [a2] = users["a2"].get("/tasks").get_json()
    assert users["sun"].post(f"/tasks/{a2['id']}/withdraw", {"reason": "x"}).status_code == 409
    check(container, case_id)


def test_withdraw_after_the_next_step_was_transferred_is_refused(users, container):
    case_id = start_case(users, container, "linear_review")
    act(users, container, case_id, "sun", "complete", "apply")
    act(users, container, case_id, "a1", "transfer", "review", {"to_user": "a2", "reason": "a2 熟悉此类"})
    act(users, container, case_id, "sun", "withdraw", "review", {"reason": "x"}, status=409)


def _sizes(container, case_id: int) -> tuple[int, int]:
    with container.session_factory() as s:
        state = s.get(Case, case_id).state
    return len(state), len(gzip.decompress(state))


@pytest.mark.parametrize("verb", ["return", "withdraw"])
def test_twenty_loops_leave_one_row_per_step_and_grow_linearly(users, container, clock, verb):
    case_id = start_case(users, container, "linear_review")
    sizes = []
    for _ in range(21):
        act(users, container, case_id, "sun", "complete", "apply")
        sizes.append(_sizes(container, case_id))
        clock.advance(hours=1)
        who = "a1" if verb == "return" else "sun"
        act(users, container, case_id, who, verb, "review", {"reason": "再来一次"})
    for which in (0, 1):  # gzip bytes, then the JSON inside
        first, last = sizes[10][which] - sizes[0][which], sizes[20][which] - sizes[10][which]
        assert last <= 1.5 * max(first, 0) + 64, (which, sizes)
