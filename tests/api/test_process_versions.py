"""Retiring and re-activating process versions: a retired version starts no new case, the
cases already on it go on, and any version's diagram can still be read.

Decided: with the latest version retired, ``POST /cases`` starts the newest active version;
with every version retired it is 404 (as for an unknown key), and so is ``GET /processes/{key}``."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import AuditEvent
from tests.factories.api import ApiUser
from tests.factories.bpmn import diagram, end, flow, start, user_task
from tests.factories.directory import make_org_tree, make_user

KEY = "permit"


def _version(label: str) -> bytes:
    """A one-step diagram; ``label`` makes each version's bytes (and task name) differ."""
    return diagram(KEY, start("title") + user_task(label) + end() + flow("start", label, "end"))


def _setup(client, container) -> tuple[ApiUser, ApiUser]:
    make_org_tree(container)
    make_user(container, "root", "admin")
    make_user(container, "li", "clerk", org_unit="D-EAST")
    admin = ApiUser(client, "root")
    for label in ("first", "second"):
        assert admin.upload((f"{KEY}.bpmn", _version(label))).status_code == 201
    return admin, ApiUser(client, "li")


def _start(user: ApiUser):
    return user.post("/cases", {"process_key": KEY, "data": {"title": "t"}})


def _statuses(admin: ApiUser) -> dict[int, str]:
    return {p["version"]: p["status"] for p in admin.get("/processes?all=1").get_json() if p["key"] == KEY}


def test_retired_latest_starts_no_case_and_running_cases_go_on(client, container):
    admin, clerk = _setup(client, container)
    running = _start(clerk).get_json()
    assert running["process_version"] == 2

    resp = admin.post(f"/processes/{KEY}/versions/2/retire", {"reason": "wrong time limit"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "retired"
    assert _statuses(admin) == {1: "active", 2: "retired"}
    assert admin.get("/processes").get_json()[0]["version"] == 1
    assert admin.get(f"/processes/{KEY}").get_json()["version"] == 1

    assert _start(clerk).get_json()["process_version"] == 1  # the newest active version
    task = running["tasks"][0]
    assert clerk.post(f"/tasks/{task['id']}/claim").status_code == 200
    done = clerk.post(f"/tasks/{task['id']}/complete", {"data": {"ok": True}})
    assert done.status_code == 200 and done.get_json()["case"]["status"] == "completed"

    assert admin.post(f"/processes/{KEY}/versions/2/activate", {"reason": "fixed"}).status_code == 200
    assert _statuses(admin) == {1: "active", 2: "active"}
    assert _start(clerk).get_json()["process_version"] == 2

    with container.session_factory() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(("process.retired", "process.activated")))
                         .order_by(AuditEvent.seq)).all()
    assert [(r.action, r.detail, r.reason) for r in rows] == [
        ("process.retired", {"key": KEY, "version": 2}, "wrong time limit"),
        ("process.activated", {"key": KEY, "version": 2}, "fixed")]


def test_every_version_retired_is_404(client, container):
    admin, clerk = _setup(client, container)
    for version in (1, 2):
        assert admin.post(f"/processes/{KEY}/versions/{version}/retire", {"reason": "replaced"}).status_code == 200
    refused = _start(clerk)
    assert refused.status_code == 404 and "retired" in refused.get_json()["error"]["message"]
    assert admin.get(f"/processes/{KEY}").status_code == 404
    assert admin.get("/processes").get_json() == []


def test_rules_for_retire_and_activate(client, container):
    admin, clerk = _setup(client, container)
    assert clerk.post(f"/processes/{KEY}/versions/1/retire", {"reason": "x"}).status_code == 403
    missing = admin.post(f"/processes/{KEY}/versions/1/retire", {})
    assert missing.status_code == 400 and "reason" in missing.get_json()["error"]["fields"]
    assert admin.post(f"/processes/{KEY}/versions/9/retire", {"reason": "x"}).status_code == 404
    assert admin.post("/processes/nope/versions/1/retire", {"reason": "x"}).status_code == 404
    assert admin.post(f"/processes/{KEY}/versions/1/activate", {"reason": "x"}).status_code == 409
    assert admin.post(f"/processes/{KEY}/versions/1/retire", {"reason": "x"}).status_code == 200
    assert admin.post(f"/processes/{KEY}/versions/1/retire", {"reason": "x"}).status_code == 409
    assert _statuses(admin) == {1: "retired", 2: "active"}


def test_any_version_diagram_is_served(client, container):
    admin, _ = _setup(client, container)
    admin.post(f"/processes/{KEY}/versions/1/retire", {"reason": "old"})
    for version, label in ((1, "first"), (2, "second")):
        resp = admin.get(f"/processes/{KEY}/versions/{version}/bpmn")
        assert resp.status_code == 200 and resp.mimetype == "application/xml"
        assert resp.data == _version(label)
    assert admin.get(f"/processes/{KEY}/versions/3/bpmn").status_code == 404


def test_message_starts_follow_the_newest_active_version(client, container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    admin = ApiUser(client, "root")
    message = '<bpmn:message id="m" name="report"/>'

    def version(label: str) -> bytes:
        body = (f'<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>'
                + user_task(label) + end() + flow("start", label, "end"))
        return diagram("reported", body, extra=message)

    for label in ("first", "second"):
        assert admin.upload(("reported.bpmn", version(label))).status_code == 201

    def send():
        return admin.post("/messages", {"message_name": "report", "variables": {}})

    def started_version(resp) -> int:
        assert resp.status_code == 200 and resp.get_json()["started"] is True, resp.get_json()
        return admin.get(f"/cases/{resp.get_json()['case_id']}").get_json()["process_version"]

    assert started_version(send()) == 2
    admin.post("/processes/reported/versions/2/retire", {"reason": "x"})
    assert started_version(send()) == 1
    admin.post("/processes/reported/versions/1/retire", {"reason": "x"})
    assert send().status_code == 404
    admin.post("/processes/reported/versions/2/activate", {"reason": "x"})
    assert started_version(send()) == 2
