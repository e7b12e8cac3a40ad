"""External tasks as Camunda 7 runs them, through the API alone: fetch-and-lock by topic, lock
expiry and takeover, complete, failures counting retries down to an incident, BPMN errors
caught by a boundary event (or not), extend-lock, and who may call any of it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, ExternalTask, Incident
from tests.conformance.invariant import assert_not_stuck
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_user

DIAGRAMS = DATA / "conformance"
TOPIC = "department.sync"
LOCK_MS = 60_000


@pytest.fixture
def users(client, container):
    for username, role in [("root", "admin"), ("zhang", "citizen"), ("w1", "worker"), ("w2", "sensor"),
                           ("li", "clerk"), ("chen", "supervisor")]:
        make_user(container, username, role)
    admin = ApiUser(client, "root")
    for name in ("external_task.bpmn", "external_task_catch_all.bpmn", "external_task_subprocess.bpmn"):
        resp = admin.upload((name, (DIAGRAMS / name).read_bytes()))
        assert resp.status_code == 201, resp.get_json()
    return {name: ApiUser(client, name) for name in ("root", "zhang", "w1", "w2", "li", "chen")}


def _start(users, process_key: str = "licence_sync") -> int:
    data = {"title": "营业执照变更", "licence_no": "91310000X"} if process_key == "licence_sync" else {"title": process_key}
    resp = users["zhang"].post("/cases", {"process_key": process_key, "data": data})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _fetch(user: ApiUser, worker_id: str, *topics: dict, max_tasks: int = 10) -> list[dict]:
    resp = user.post("/external-tasks/fetch-and-lock", {
        "worker_id": worker_id, "max_tasks": max_tasks,
        "topics": list(topics) or [{"topic_name": TOPIC, "lock_duration_ms": LOCK_MS}]})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _row(container, task_id: int) -> ExternalTask:
    with container.session_factory() as s:
        return s.get(ExternalTask, task_id)


def _incidents(container, admin: ApiUser, case_id: int) -> list[dict]:
    """Open incidents of the case: from its view once that lists them, else from the table."""
    view = admin.get(f"/cases/{case_id}").get_json()
    if "incidents" in view:
        return view["incidents"]
    with container.session_factory() as s:
        return [{"kind": i.kind, "message": i.message, "attempts": i.attempts, "element_id": i.element_id}
                for i in s.scalars(select(Incident).where(Incident.case_id == case_id,
                                                          Incident.resolved_at.is_(None)))]


def test_fetch_lock_expiry_takeover_and_complete(users, container, clock):
    w1, w2, admin = users["w1"], users["w2"], users["root"]
    case_id = _start(users)
    assert_not_stuck(container, case_id)

    [task] = _fetch(w1, "w1")
    assert task["topic_name"] == TOPIC and task["case_id"] == case_id and task["element_id"] == "Task_sync"
    assert task["variables"] == {"title": "营业执照变更", "licence_no": "91310000X"}
    assert task["retries"] is None and len(task["case_number"]) == 14
    assert _fetch(w2, "w2") == []  # locked by w1
    assert_not_stuck(container, case_id)

    clock.advance(seconds=61)  # w1's lock expires; w2 takes the task over
    [again] = _fetch(w2, "w2", {"topic_name": TOPIC, "lock_duration_ms": LOCK_MS, "variables": ["licence_no"]})
    assert again["id"] == task["id"] and again["variables"] == {"licence_no": "91310000X"}
    late = w1.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1", "variables": {"x": 1}})
    assert late.status_code == 409 and "another worker" in late.get_json()["error"]["message"]
    assert w1.post(f"/external-tasks/{task['id']}/extend-lock",
                   {"worker_id": "w1", "new_duration_ms": 1000}).status_code == 409
    assert_not_stuck(container, case_id)

    extended = w2.post(f"/external-tasks/{task['id']}/extend-lock", {"worker_id": "w2", "new_duration_ms": 300_000})
    assert extended.status_code == 200, extended.get_json()
    clock.advance(seconds=120)  # past the first lock, within the extended one
    assert _fetch(w1, "w1") == []

    done = w2.post(f"/external-tasks/{task['id']}/complete",
                   {"worker_id": "w2", "variables": {"external_ref": "DEPT-2026-0042"}})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["case"]["status"] == "completed"
    assert w2.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w2"}).status_code == 409
    assert_not_stuck(container, case_id)

    case = admin.get(f"/cases/{case_id}").get_json()
    assert case["status"] == "completed" and case["data"]["external_ref"] == "DEPT-2026-0042"
    listed = admin.get(f"/external-tasks?case_id={case_id}").get_json()
    assert [(t["id"], t["state"], t["lock_owner"]) for t in listed] == [(task["id"], "completed", "w2")]
    assert admin.get("/external-tasks?topic=nothing.here").get_json() == []
    with container.session_factory() as s:
        [row] = s.scalars(select(AuditEvent).where(AuditEvent.action == "external_task.completed"))
        assert row.actor == "w2" and row.detail["worker"] == "w2" and row.case_id == case_id


def test_suspended_cases_hand_out_no_work_and_an_expired_lock_may_still_complete(users, container, clock):
    w1, w2, supervisor = users["w1"], users["w2"], users["chen"]
    case_id = _start(users)
    [task] = _fetch(w1, "w1", {"topic_name": TOPIC, "lock_duration_ms": 1_000})
    assert supervisor.post(f"/cases/{case_id}/suspend", {"reason": "申请人撤回待确认"}).status_code == 200
    clock.advance(seconds=2)
    assert _fetch(w2, "w2") == []  # the lock expired, but the case is suspended
    held = w1.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1"})
    assert held.status_code == 409 and "suspended" in held.get_json()["error"]["message"]
    assert_not_stuck(container, case_id)
    assert supervisor.post(f"/cases/{case_id}/resume", {"reason": "已确认"}).status_code == 200
    # Expired, but nobody else fetched it: the worker that locked it may still complete it (Camunda's rule).
    done = w1.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1", "variables": {"external_ref": "L"}})
    assert done.status_code == 200, done.get_json()
    assert_not_stuck(container, case_id)


def test_failures_count_retries_down_to_an_incident(users, container, clock):
    w1, admin = users["w1"], users["root"]
    case_id = _start(users)
    [task] = _fetch(w1, "w1")
    url = f"/external-tasks/{task['id']}/failure"

    first = w1.post(url, {"worker_id": "w1", "error_message": "department API: 503", "retries": 2,
                          "retry_timeout_ms": 30_000})
    assert first.status_code == 200 and first.get_json() == {"id": task["id"], "state": "open", "retries": 2,
                                                             "attempts": 1}
    assert _fetch(w1, "w1") == []  # not before the retry timeout
    assert w1.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1"}).status_code == 409  # unlocked
    assert_not_stuck(container, case_id)

    clock.advance(seconds=31)
    [again] = _fetch(w1, "w1")
    assert again["retries"] == 2 and again["error_message"] == "department API: 503"
    assert w1.post(url, {"worker_id": "w1", "error_message": "timeout", "retries": 1}).status_code == 200
    [third] = _fetch(w1, "w1")  # no retry timeout given: fetchable at once
    assert third["retries"] == 1
    last = w1.post(url, {"worker_id": "w1", "error_message": "department API: 500", "retries": 0})
    assert last.status_code == 200 and last.get_json()["state"] == "failed"
    assert _fetch(w1, "w1") == []
    assert _row(container, task["id"]).state == "failed"
    [incident] = _incidents(container, admin, case_id)
    assert incident["kind"] == "external-task" and incident["message"] == "department API: 500"
    assert incident["attempts"] == 3 and incident["element_id"] == "Task_sync"
    assert_not_stuck(container, case_id)  # the case waits on its incident

    # Retrying the incident (engine.services.incidents) reopens the row like this: fetchable again.
    with container.session_factory() as s:
        row = s.get(ExternalTask, task["id"])
        row.state, row.retries, row.lock_expires_at = "open", 1, None
        s.commit()
    [retried] = _fetch(w1, "w1")
    assert retried["id"] == task["id"] and retried["retries"] == 1
    done = w1.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1", "variables": {"external_ref": "R"}})
    assert done.status_code == 200 and done.get_json()["case"]["status"] == "completed"
    assert_not_stuck(container, case_id)


def test_bpmn_error_caught_by_the_boundary_opens_the_clerks_task(users, container):
    w1, clerk = users["w1"], users["li"]
    case_id = _start(users)
    [task] = _fetch(w1, "w1")
    resp = w1.post(f"/external-tasks/{task['id']}/bpmn-error", {
        "worker_id": "w1", "error_code": "NOT_FOUND", "variables": {"lookup": "no such licence"}})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["caught_by"] == "Error_not_found" and resp.get_json()["state"] == "cancelled"
    assert_not_stuck(container, case_id)
    assert w1.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1"}).status_code == 409

    [check] = clerk.get("/tasks").get_json()
    assert check["element_id"] == "Task_check" and check["case_id"] == case_id
    assert clerk.get(f"/tasks/{check['id']}").get_json()["case"]["data"]["lookup"] == "no such licence"
    assert clerk.post(f"/tasks/{check['id']}/complete", {"data": {"note": "执照已注销"}}).status_code == 200
    assert users["zhang"].get(f"/cases/{case_id}").get_json()["status"] == "completed"
    assert_not_stuck(container, case_id)


def test_uncaught_bpmn_error_is_an_incident(users, container):
    w1, admin = users["w1"], users["root"]
    case_id = _start(users)
    [task] = _fetch(w1, "w1")
    resp = w1.post(f"/external-tasks/{task['id']}/bpmn-error", {
        "worker_id": "w1", "error_code": "LICENCE_REVOKED", "error_message": "revoked in 2025"})
    assert resp.status_code == 200 and resp.get_json()["caught_by"] is None
    assert resp.get_json()["state"] == "failed" and _row(container, task["id"]).state == "failed"
    [incident] = _incidents(container, admin, case_id)
    assert incident["kind"] == "bpmn-error" and "LICENCE_REVOKED" in incident["message"]
    assert _fetch(w1, "w1") == [] and users["li"].get("/tasks").get_json() == []
    assert_not_stuck(container, case_id)


def test_a_boundary_naming_the_code_wins_over_a_catch_all(users, container):
    w1 = users["w1"]
    low, high = _start(users), _start(users, "permit_archive")
    topics = [{"topic_name": name, "lock_duration_ms": LOCK_MS} for name in (TOPIC, "archive.push")]
    [first] = _fetch(w1, "w1", *topics, max_tasks=1)
    assert first["case_id"] == high and first["priority"] == 10  # camunda:taskPriority first
    named = w1.post(f"/external-tasks/{first['id']}/bpmn-error", {"worker_id": "w1", "error_code": "NOT_FOUND"})
    assert named.get_json()["caught_by"] == "Error_not_found"
    assert [t["case_id"] for t in users["li"].get("/tasks").get_json()] == [high]
    assert_not_stuck(container, low, high)

    other = _start(users, "permit_archive")
    [task] = _fetch(w1, "w1", {"topic_name": "archive.push", "lock_duration_ms": LOCK_MS})
    caught = w1.post(f"/external-tasks/{task['id']}/bpmn-error", {"worker_id": "w1", "error_code": "DISK_FULL"})
    assert task["case_id"] == other and caught.get_json()["caught_by"] == "Error_any"
    assert [t["element_id"] for t in users["chen"].get("/tasks").get_json()] == ["Task_supervise"]
    assert_not_stuck(container, low, high, other)


def test_an_error_inside_a_subprocess_is_caught_on_the_subprocess(users, container):
    w1 = users["w1"]
    case_id = _start(users, "grant_payment")
    [task] = _fetch(w1, "w1", {"topic_name": "treasury.pay", "lock_duration_ms": LOCK_MS})
    assert task["element_id"] == "Task_pay"
    resp = w1.post(f"/external-tasks/{task['id']}/bpmn-error", {"worker_id": "w1", "error_code": "ACCOUNT_INVALID"})
    assert resp.status_code == 200 and resp.get_json()["caught_by"] == "Error_account"
    assert [t["element_id"] for t in users["li"].get("/tasks").get_json()] == ["Task_check"]
    assert _row(container, task["id"]).state == "cancelled"
    assert_not_stuck(container, case_id)


def test_only_machine_clients_and_admins(users, container):
    citizen, w1, admin = users["zhang"], users["w1"], users["root"]
    case_id = _start(users)
    body = {"worker_id": "c", "max_tasks": 1, "topics": [{"topic_name": TOPIC, "lock_duration_ms": 1000}]}
    assert citizen.post("/external-tasks/fetch-and-lock", body).status_code == 403
    [task] = _fetch(w1, "w1")
    assert citizen.post(f"/external-tasks/{task['id']}/complete", {"worker_id": "w1"}).status_code == 403
    assert citizen.post(f"/external-tasks/{task['id']}/failure",
                        {"worker_id": "w1", "error_message": "x", "retries": 0}).status_code == 403
    assert citizen.get("/external-tasks").status_code == 403 and w1.get("/external-tasks").status_code == 403
    assert admin.get("/external-tasks").status_code == 200
    assert w1.client.post("/api/v1/external-tasks/fetch-and-lock", json=body).status_code == 401
    assert w1.post("/external-tasks/999999/complete", {"worker_id": "w1"}).status_code == 404
    assert _row(container, task["id"]).state == "open"
    assert_not_stuck(container, case_id)


@pytest.mark.parametrize("path, body, field", [
    ("fetch-and-lock", {"max_tasks": 1, "topics": [{"topic_name": TOPIC, "lock_duration_ms": 1}]}, "worker_id"),
    ("fetch-and-lock", {"worker_id": "w1", "max_tasks": 0, "topics": [{"topic_name": TOPIC, "lock_duration_ms": 1}]},
     "max_tasks"),
    ("fetch-and-lock", {"worker_id": "w1", "max_tasks": 1, "topics": []}, "topics"),
    ("fetch-and-lock", {"worker_id": "w1", "max_tasks": 1, "topics": [{"topic_name": TOPIC}]},
     "topics.0.lock_duration_ms"),
    ("fetch-and-lock", {"worker_id": "w1", "max_tasks": "many", "topics": "all"}, "max_tasks"),
    ("{id}/complete", {"worker_id": "w1", "variables": ["not", "an", "object"]}, "variables"),
    ("{id}/complete", {"worker_id": "w1", "varaibles": {}}, "varaibles"),
    ("{id}/failure", {"worker_id": "w1", "error_message": "x", "retries": -1}, "retries"),
    ("{id}/failure", {"worker_id": "w1", "retries": 1}, "error_message"),
    ("{id}/bpmn-error", {"worker_id": "w1"}, "error_code"),
    ("{id}/extend-lock", {"worker_id": "w1", "new_duration_ms": 0}, "new_duration_ms"),
    ("{id}/extend-lock", {"worker_id": "", "new_duration_ms": 10}, "worker_id"),
])
def test_bad_bodies_are_400_naming_the_field(users, container, path, body, field):
    case_id = _start(users)
    [task] = _fetch(users["w1"], "w1")
    resp = users["w1"].post(f"/external-tasks/{path.format(id=task['id'])}", body)
    assert resp.status_code == 400, resp.get_json()
    assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert _row(container, task["id"]).lock_owner == "w1"
    assert_not_stuck(container, case_id)


def test_a_body_that_is_not_json_is_400(users):
    resp = users["w1"].client.post("/api/v1/external-tasks/fetch-and-lock", data="{not json",
                                   headers=users["w1"].headers | {"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert users["root"].get("/external-tasks?case_id=abc").status_code == 400


def test_task_priority_may_be_an_expression_but_not_junk(users, container):
    body = (DIAGRAMS / "external_task_catch_all.bpmn").read_text(encoding="utf-8")
    urgent = body.replace('camunda:taskPriority="10"', 'camunda:taskPriority="${20 if title == \'急\' else 5}"') \
        .replace('id="permit_archive"', 'id="permit_archive_urgent"')
    assert users["root"].upload(("urgent.bpmn", urgent.encode())).status_code == 201
    calm = _start(users, "permit_archive_urgent")
    rush = users["zhang"].post("/cases", {"process_key": "permit_archive_urgent", "data": {"title": "急"}}).get_json()["id"]
    fetched = _fetch(users["w1"], "w1", {"topic_name": "archive.push", "lock_duration_ms": LOCK_MS})
    assert [(t["case_id"], t["priority"]) for t in fetched] == [(rush, 20), (calm, 5)]
    junk = body.replace('camunda:taskPriority="10"', 'camunda:taskPriority="high"')
    refused = users["root"].upload(("junk.bpmn", junk.replace('id="permit_archive"', 'id="permit_junk"').encode()))
    assert refused.status_code == 400
    assert any("priority 'high'" in m for m in refused.get_json()["error"]["fields"]["Task_archive"])
