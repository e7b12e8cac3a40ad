"""The supervision pages through the test client: who may open them, the district's own subtree,
each override with its audit row, and refusals shown in place that change nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine import services, timers
from engine.models import AuditEvent, Case, User
from engine.services import supervision
from tests.conftest import DATA
from tests.factories.directory import PASSWORD, make_org_tree, make_user

PEOPLE = [("wang", "dispatcher", "CITY"), ("li", "handler", "D-EAST-CG"), ("zhao", "handler", "D-EAST-CG"),
          ("xi", "handler", "D-WEST-CG"), ("sup_east", "supervisor", "D-EAST"), ("sup_city", "supervisor", "CITY"),
          ("boss", "leader", "D-EAST"), ("zhang", "citizen", None)]
PAGES = ["/supervise/", "/supervise/tasks", "/supervise/escalations", "/supervise/incidents"]


def supervised_world(container, clock) -> dict[str, dict]:
    """Two street-light cases waiting to be handled, one in each district, both overdue and
    escalated one level (to the district's board). Returns each district's handle task row."""
    make_org_tree(container)
    ids = {name: make_user(container, name, role, org_unit=unit) for name, role, unit in PEOPLE}
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    handle = {}
    for district, title in (("D-EAST-CG", "和平路路灯不亮"), ("D-WEST-CG", "长安街路灯闪烁")):
        with container.uow() as uow:
            case = services.start_case(uow, "streetlight_repair", {"title": title, "location": "路口"}, ids["zhang"])
        with container.uow() as uow:
            done = services.complete_task(uow, case["tasks"][0]["id"], {"valid": True, "department": district},
                                          ids["wang"])
        handle[district] = done["next_tasks"][0]
    clock.advance(days=6)  # past 3 working days: overdue, and the due timer escalates it
    timers.sweep(container, "test")
    return handle


def csrf_of(html: str) -> tuple[str, str]:
    found = re.search(r'name="(csrf_token|_csrf)" value="([^"]+)"', html)
    return found.group(1), found.group(2)


def sign_in(client, username: str) -> tuple[str, str]:
    name, token = csrf_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={name: token, "username": username, "password": PASSWORD}).status_code == 302
    return csrf_of(client.get("/supervise/" if username.startswith(("sup", "boss")) else "/").get_data(as_text=True))


@pytest.fixture
def world(container, clock):
    return supervised_world(container, clock)


def _audit(container, action: str) -> list:
    """(reason, task_id) of each audit row with this action."""
    with container.uow() as uow:
        return list(uow.session.execute(select(AuditEvent.reason, AuditEvent.task_id)
                                        .where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


@pytest.mark.parametrize("username", ["zhang", "li"])
def test_citizens_and_handlers_get_403_everywhere(client, world, username):
    field, token = sign_in(client, username)
    task_id = world["D-EAST-CG"]["id"]
    for url in [*PAGES, f"/supervise/tasks/{task_id}"]:
        assert client.get(url).status_code == 403, url
    for url in [f"/supervise/tasks/{task_id}/reassign", f"/supervise/tasks/{task_id}/extension",
                f"/supervise/tasks/{task_id}/force-complete", f"/supervise/cases/{world['D-EAST-CG']['case_id']}/action"]:
        assert client.post(url, data={field: token, "reassign_reason": "x", "to_user": "zhao"}).status_code == 403, url
    assert _audit(client.application.extensions["civicflow"], "task.reassigned") == []


def test_signed_out_goes_to_login_and_forms_need_csrf(client, world):
    assert client.get("/supervise/").status_code == 302
    sign_in(client, "sup_east")
    task_id, case_id = world["D-EAST-CG"]["id"], world["D-EAST-CG"]["case_id"]
    for url, data in ((f"/supervise/tasks/{task_id}/reassign", {"to_user": "zhao", "reassign_reason": "忙"}),
                      (f"/supervise/tasks/{task_id}/extension", {"decision": "grant", "extension_reason": "可"}),
                      (f"/supervise/tasks/{task_id}/force-complete", {"result": "好了", "force_reason": "急"}),
                      (f"/supervise/cases/{case_id}/action", {"task_id": task_id, "action": "urge", "case_reason": "急"})):
        assert client.post(url, data=data).status_code == 400, url
    assert _audit(client.application.extensions["civicflow"], "task.reassigned") == []


def test_a_district_supervisor_sees_only_their_subtree(client, world):
    sign_in(client, "sup_east")
    board = client.get("/supervise/").get_data(as_text=True)
    assert "东城区城管局" in board and "西城区城管局" not in board and "超期" in board
    listing = client.get("/supervise/tasks").get_data(as_text=True)
    assert world["D-EAST-CG"]["case_number"] in listing and world["D-WEST-CG"]["case_number"] not in listing
    drill = client.get("/supervise/tasks?sla=overdue&org_unit=D-EAST-CG&category=-").get_data(as_text=True)
    assert world["D-EAST-CG"]["case_number"] in drill and "处置" in drill
    assert client.get(f"/supervise/tasks/{world['D-WEST-CG']['id']}").status_code == 404
    assert world["D-EAST-CG"]["case_number"] in client.get("/supervise/escalations").get_data(as_text=True)
    assert client.get("/supervise/tasks?sla=nonsense&page=abc").status_code == 200
    assert "Supervision board" in client.get("/supervise/?lang=en").get_data(as_text=True)


def test_still_overdue_cases_climb_to_the_discipline_list(client, container, clock, world):
    for _ in range(2):  # D-EAST-CG → D-EAST (in the world), → CITY, → beyond the top: 纪检
        clock.advance(days=5)  # past the next climb, 2 working days on (CIVICFLOW_ESCALATE_AFTER)
        timers.sweep(container, "test")
    sign_in(client, "sup_east")
    page = client.get("/supervise/escalations").get_data(as_text=True)
    discipline = page[page.index('id="discipline"'):page.index('id="extension"')]
    assert world["D-EAST-CG"]["case_number"] in discipline and world["D-WEST-CG"]["case_number"] not in page


def test_a_city_supervisor_sees_both_districts_and_a_leader_only_looks(client, world):
    sign_in(client, "sup_city")
    board = client.get("/supervise/").get_data(as_text=True)
    assert "东城区城管局" in board and "西城区城管局" in board
    client.post("/logout", data=dict([csrf_of(board)]))
    sign_in(client, "boss")
    page = client.get(f"/supervise/tasks/{world['D-EAST-CG']['id']}").get_data(as_text=True)
    assert "name=\"reassign_reason\"" not in page
    assert client.get("/supervise/incidents").status_code == 403  # incidents are for supervisors


def test_reassign_with_a_reason_and_refusals_in_place(client, container, world):
    field, token = sign_in(client, "sup_east")
    task_id = world["D-EAST-CG"]["id"]
    url = f"/supervise/tasks/{task_id}/reassign"
    missing = client.post(url, data={field: token, "to_user": "zhao", "reassign_reason": "  "})
    assert missing.status_code == 400 and 'id="f-reassign_reason-error"' in missing.get_data(as_text=True)
    outsider = client.post(url, data={field: token, "to_user": "xi", "reassign_reason": "换人"})
    assert outsider.status_code == 422 and 'id="r-to_user-error"' in outsider.get_data(as_text=True)
    assert _audit(container, "task.reassigned") == []
    done = client.post(url, data={field: token, "to_user": "zhao", "reassign_reason": "李师傅休假"})
    assert done.status_code == 302
    assert _audit(container, "task.reassigned") == [("李师傅休假", task_id)]
    assert "zhao" in client.get(f"/supervise/tasks/{task_id}").get_data(as_text=True)


@pytest.mark.parametrize("action, audit_action, status", [
    ("urge", "case.urged", "running"), ("suspend", "case.suspended", "suspended"),
    ("terminate", "case.terminated", "terminated")])
def test_case_overrides_write_their_reason(client, container, world, action, audit_action, status):
    field, token = sign_in(client, "sup_east")
    task = world["D-EAST-CG"]
    url = f"/supervise/cases/{task['case_id']}/action"
    missing = client.post(url, data={field: token, "task_id": task["id"], "action": action, "case_reason": ""})
    assert missing.status_code == 400 and _audit(container, audit_action) == []
    done = client.post(url, data={field: token, "task_id": task["id"], "action": action, "case_reason": "群众反映强烈"})
    assert done.status_code == 302
    assert [reason for reason, _ in _audit(container, audit_action)] == ["群众反映强烈"]
    with container.uow() as uow:
        assert uow.session.get(Case, task["case_id"]).status == status


def test_resume_after_suspend(client, container, world):
    field, token = sign_in(client, "sup_east")
    task = world["D-EAST-CG"]
    url = f"/supervise/cases/{task['case_id']}/action"
    client.post(url, data={field: token, "task_id": task["id"], "action": "suspend", "case_reason": "等待材料"})
    page = client.get(f"/supervise/tasks/{task['id']}").get_data(as_text=True)
    assert 'value="resume"' in page
    assert client.post(url, data={field: token, "task_id": task["id"], "action": "resume",
                                  "case_reason": "材料已到"}).status_code == 302
    assert [r.reason for r in _audit(container, "case.resumed")] == ["材料已到"]


def test_extension_decisions(client, container, world):
    task = world["D-EAST-CG"]
    li = user_id(container, "li")
    with container.uow() as uow:
        services.claim_task(uow, task["id"], li)
    with container.uow() as uow:
        supervision.extend(uow, task["id"], li, "等配件", working_days=2)
    field, token = sign_in(client, "sup_east")
    page = client.get(f"/supervise/tasks/{task['id']}").get_data(as_text=True)
    assert "等配件" in page and 'name="decision"' in page
    url = f"/supervise/tasks/{task['id']}/extension"
    assert client.post(url, data={field: token, "decision": "grant", "extension_reason": ""}).status_code == 400
    assert client.post(url, data={field: token, "extension_reason": "可以"}).status_code == 400
    assert client.post(url, data={field: token, "decision": "grant", "extension_reason": "配件确需时间"}).status_code == 302
    assert _audit(container, "task.extension_granted") == [("配件确需时间", task["id"])]


def user_id(container, username: str) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(User.id).where(User.username == username))


def test_force_complete_with_a_reason(client, container, world):
    field, token = sign_in(client, "sup_east")
    task = world["D-EAST-CG"]
    url = f"/supervise/tasks/{task['id']}/force-complete"
    bad = client.post(url, data={field: token, "result": "", "force_reason": "处置人失联"})
    assert bad.status_code == 400 and 'id="force-result-error"' in bad.get_data(as_text=True)
    missing = client.post(url, data={field: token, "result": "已更换灯泡", "force_reason": ""})
    assert missing.status_code == 400 and _audit(container, "task.force_completed") == []
    done = client.post(url, data={field: token, "result": "已更换灯泡", "cost": "120", "force_reason": "处置人失联"})
    assert done.status_code == 302, done.get_data(as_text=True)[-3000:]
    assert _audit(container, "task.force_completed") == [("处置人失联", task["id"])]
    assert 'name="force_reason"' not in client.get(f"/supervise/tasks/{task['id']}").get_data(as_text=True)
