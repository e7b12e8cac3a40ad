"""A diagram saved by Camunda Modeler (lanes, candidate groups, formData, conditions) uploaded
and run to its end through the API alone, by users who each hold only their own role."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.models import AuditEvent, Case, Task
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import PASSWORD, make_user

DIAGRAM = (DATA / "streetlight_repair.bpmn").read_bytes()


def _setup_directory(client, container):
    make_user(container, "root", "admin")  # the one user the CLI creates; the rest via the API
    admin = ApiUser(client, "root")
    for code, name, kind, parent in [("CITY", "示范市", "city", None), ("D-EAST", "东城区", "district", "CITY"),
                                     ("D-EAST-CG", "东城区城管局", "department", "D-EAST"),
                                     ("D-WEST-CG", "西城区城管局", "department", "CITY")]:
        resp = admin.post("/org-units", {"code": code, "name": name, "kind": kind, "parent": parent})
        assert resp.status_code == 201, resp.get_json()
    for username, role, unit in [("zhang", "citizen", None), ("wang", "dispatcher", "CITY"),
                                 ("zhao", "handler", "D-EAST-CG"), ("west", "handler", "D-WEST-CG"),
                                 ("qian", "inspector", "D-EAST")]:
        resp = admin.post("/users", {"username": username, "password": PASSWORD, "roles": [role],
                                     "org_unit": unit, "display_name": username})
        assert resp.status_code == 201, resp.get_json()
    return admin


def _only_task(user: ApiUser, scope: str = "inbox") -> dict:
    tasks = user.get(f"/tasks?scope={scope}").get_json()
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_modeler_diagram_runs_to_its_end_through_the_api(client, container):
    admin = _setup_directory(client, container)
    tree = admin.get("/org-units").get_json()
    assert tree[0]["code"] == "CITY" and {c["code"] for c in tree[0]["children"]} == {"D-EAST", "D-WEST-CG"}

    resp = admin.upload(("streetlight_repair.bpmn", DIAGRAM))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["key"] == "streetlight_repair" and body["version"] == 1
    assert {t["id"]: t["role"] for t in body["tasks"]} == {
        "Task_dispatch": "dispatcher", "Task_handle": "handler@${department}", "Task_verify": "inspector"}
    again = admin.upload(("streetlight_repair.bpmn", DIAGRAM))
    assert again.status_code == 200 and again.get_json()["version"] == 1
    detail = admin.get("/processes/streetlight_repair").get_json()
    assert [f["name"] for f in detail["start_form"]["fields"]] == ["title", "location", "phone", "lamps"]

    citizen, dispatcher = ApiUser(client, "zhang"), ApiUser(client, "wang")
    handler, west, inspector = ApiUser(client, "zhao"), ApiUser(client, "west"), ApiUser(client, "qian")

    started = citizen.post("/cases", {"process_key": "streetlight_repair", "data": {
        "title": "和平路路灯不亮", "location": "和平路12号", "phone": "13800138000", "lamps": 3}})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    assert len(case["number"]) == 14 and case["number"].startswith("20261123")
    assert [t["name"] for t in case["tasks"]] == ["分拨"]

    dispatch = _only_task(dispatcher, "group")
    assert dispatch["priority"] == 70 and dispatch["due_at"] is not None
    assert handler.get(f"/tasks/{dispatch['id']}").status_code == 404
    assert handler.post(f"/tasks/{dispatch['id']}/complete", {"data": {"valid": True}}).status_code == 404
    form = dispatcher.get(f"/tasks/{dispatch['id']}").get_json()["form"]
    dept = next(f for f in form["fields"] if f["name"] == "department")
    assert dept["type"] == "enum" and dept["choices"][0] == {"value": "D-EAST-CG", "label": "东城区城管局"}

    assert dispatcher.post(f"/tasks/{dispatch['id']}/claim").status_code == 200
    done = dispatcher.post(f"/tasks/{dispatch['id']}/complete",
                           {"data": {"valid": True, "department": "D-EAST-CG"}})
    assert done.status_code == 200, done.get_json()
    assert [t["name"] for t in done.get_json()["next_tasks"]] == ["处置"]
    assert dispatcher.post(f"/tasks/{dispatch['id']}/complete", {"data": {"valid": True}}).status_code == 409

    assert west.get("/tasks").get_json() == []
    handle = _only_task(handler)
    assert handle["org_unit"] == "D-EAST-CG"
    assert west.post(f"/tasks/{handle['id']}/complete", {"data": {"result": "修好了"}}).status_code == 404
    assert handler.post(f"/tasks/{handle['id']}/complete",
                        {"data": {"result": "更换灯泡", "cost": 120, "finished_on": "2026-11-24"}}).status_code == 200

    verify = _only_task(inspector)
    assert verify["role"] == "inspector"  # from the lane named 核查员
    back = inspector.post(f"/tasks/{verify['id']}/complete", {"data": {"passed": False, "verify_note": "仍有一盏不亮"}})
    assert [t["name"] for t in back.get_json()["next_tasks"]] == ["处置"]
    redo = _only_task(handler)
    assert handler.post(f"/tasks/{redo['id']}/complete", {"data": {"result": "全部修复"}}).status_code == 200
    final = inspector.post(f"/tasks/{_only_task(inspector)['id']}/complete", {"data": {"passed": True}})
    assert final.status_code == 200
    assert final.get_json()["case"]["status"] == "completed" and final.get_json()["next_tasks"] == []

    mine = citizen.get(f"/cases/{case['id']}").get_json()  # the citizen: what they gave, the steps, no people
    assert mine["status"] == "completed" and mine["data"] == {
        "title": "和平路路灯不亮", "location": "和平路12号", "phone": "13800138000", "lamps": 3}
    assert [h["step"] for h in mine["history"]] == ["受理", "分拨", "处置", "核查", "处置", "核查", "办结"]
    assert [d["name"] for d in mine["documents"]] == ["受理回执", "办结通知书"]
    closed = admin.get(f"/cases/{case['id']}").get_json()
    assert closed["status"] == "completed" and closed["closed_at"] is not None
    assert closed["data"]["result"] == "全部修复" and closed["data"]["passed"] is True
    steps = [(h["action"], h["actor"], h["task"]) for h in closed["history"] if not h["action"].startswith("document.")]
    assert [h["detail"]["kind"] for h in closed["history"] if h["action"] == "document.issued"] == [
        "receipt", "completion_notice"]  # 受理回执, 办结通知书
    assert steps == [
        ("case.started", "zhang", None), ("task.claimed", "wang", "分拨"), ("task.completed", "wang", "分拨"),
        ("task.completed", "zhao", "处置"), ("task.completed", "qian", "核查"),
        ("task.completed", "zhao", "处置"), ("task.completed", "qian", "核查"), ("case.completed", "qian", None)]
    assert west.get(f"/cases/{case['id']}").status_code == 404


def test_invalid_task_data_is_refused_field_by_field_and_changes_nothing(client, container):
    admin = _setup_directory(client, container)
    admin.upload(("streetlight_repair.bpmn", DIAGRAM))
    citizen, dispatcher = ApiUser(client, "zhang"), ApiUser(client, "wang")

    bad_start = citizen.post("/cases", {"process_key": "streetlight_repair",
                                        "data": {"title": "x" * 101, "phone": "12345", "lamps": "three"}})
    assert bad_start.status_code == 400
    assert set(bad_start.get_json()["error"]["fields"]) == {"title", "location", "phone", "lamps"}

    case = citizen.post("/cases", {"process_key": "streetlight_repair",
                                   "data": {"title": "路灯", "location": "和平路"}}).get_json()
    task = _only_task(dispatcher, "group")
    with container.session_factory() as s:
        before = (s.scalar(select(Case.version).where(Case.id == case["id"])),
                  s.scalar(select(func.count()).select_from(AuditEvent)))
    resp = dispatcher.post(f"/tasks/{task['id']}/complete",
                           {"data": {"valid": "maybe", "department": "MARS", "colour": "red"}})
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_input" and set(err["fields"]) == {"valid", "department", "colour"}
    assert dispatcher.post(f"/tasks/{task['id']}/complete", {"data": {}}).get_json()["error"]["fields"] == {
        "valid": ["Missing data for required field."]}
    with container.session_factory() as s:
        after = (s.scalar(select(Case.version).where(Case.id == case["id"])),
                 s.scalar(select(func.count()).select_from(AuditEvent)))
        assert s.get(Task, task["id"]).state == "open"
    assert before == after
