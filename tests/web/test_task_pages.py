"""The task and case pages through the Flask test client: CSRF on every form, strangers get 404,
bad input comes back in place with nothing changed, and a completion lands in the inbox."""
from __future__ import annotations

import re

import pytest

from tests.factories.directory import PASSWORD
from tests.factories.event_loop import make_event_loop

PARKING = dict(title="解放路车辆违停堵路", address="解放路3号", district="D-EAST", channel="hotline",
               reporter_name="王女士", reporter_phone="13900139000")


def _csrf(html: str) -> str:
    return re.search(r'name="(?:csrf_token|_csrf)" value="([^"]+)"', html).group(1)


def _sign_in(client, username: str) -> str:
    """Sign in through the login page; returns a CSRF token for the session."""
    page = client.get("/login").get_data(as_text=True)
    name = re.search(r'name="(csrf_token|_csrf)"', page).group(1)
    resp = client.post("/login", data={name: _csrf(page), "username": username, "password": PASSWORD})
    assert resp.status_code == 302
    return _csrf(client.get("/").get_data(as_text=True))


def _field(html: str) -> str:
    return re.search(r'name="(csrf_token|_csrf)"', html).group(1)


@pytest.fixture
def loop(client, container):
    return make_event_loop(client, container)


@pytest.fixture
def reported(loop):
    """A hotline call the operator li registered: its 预处理 task waits in li's inbox."""
    case = loop.report("li", **PARKING)
    return case, case["tasks"][0]["id"]


def test_forms_refuse_a_missing_csrf_token(client, loop, reported):
    case, task_id = reported
    _sign_in(client, "li")
    for op in ("take", "return", "transfer", "delegate", "copy", "extend", "add-signers", "remove-signers"):
        assert client.post(f"/tasks/{task_id}/{op}", data={"reason": "x"}).status_code == 400, op
    assert client.post(f"/tasks/{task_id}/complete", data={"decision": "accept"}).status_code == 400
    assert client.post(f"/cases/{case['id']}/tasks/{task_id}/withdraw", data={"reason": "x"}).status_code == 400
    assert loop.open_task(case["id"], "Task_preprocess")["state"] == "open"


def test_a_stranger_gets_404_on_someone_elses_task_and_case(client, loop, reported):
    case, task_id = reported
    token = _sign_in(client, "zhao")  # a handler of another desk
    assert client.get(f"/tasks/{task_id}").status_code == 404
    assert client.get(f"/cases/{case['id']}").status_code == 404
    assert client.get(f"/cases/{case['id']}/diagram.json").status_code == 404
    assert client.post(f"/tasks/{task_id}/take", data={"csrf_token": token, "_csrf": token}).status_code == 404
    assert loop.open_task(case["id"], "Task_preprocess")["state"] == "open"


def test_bad_input_shows_field_errors_in_place_and_changes_nothing(client, loop, reported):
    case, task_id = reported
    token = _sign_in(client, "li")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "认领" in page and "签收" not in page
    name = _field(page)
    assert client.post(f"/tasks/{task_id}/take", data={name: token}).status_code == 302
    form = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'name="decision"' in form and "审批意见" in form
    bad = client.post(f"/tasks/{task_id}/complete", data={name: token, "decision": "nonsense",
                                                         "comment": "先看看", "preprocess_note": "来电人很着急"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="f-decision-error"' in html and "来电人很着急" in html and "先看看" in html
    assert loop.open_task(case["id"], "Task_preprocess")["state"] == "claimed"
    no_reason = client.post(f"/tasks/{task_id}/transfer", data={name: token, "to_user": "wang", "reason": ""})
    assert no_reason.status_code == 400 and 'id="transfer-reason-error"' in no_reason.get_data(as_text=True)
    assert loop.open_task(case["id"], "Task_preprocess")["assignee"] == "li"


def test_completing_goes_back_to_the_inbox_naming_the_next_step(client, loop, reported):
    case, task_id = reported
    token = _sign_in(client, "li")
    name = _field(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    client.post(f"/tasks/{task_id}/take", data={name: token})
    done = client.post(f"/tasks/{task_id}/complete", data={name: token, "decision": "accept", "comment": "同意受理"},
                       follow_redirects=True)
    assert done.status_code == 200 and "分类定级" in done.get_data(as_text=True)
    history = loop.case(case["id"])["history"]
    assert [h["comment"] for h in history if h["action"] == "task.completed"] == ["同意受理"]
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "bpmn-navigated-viewer.production.min.js" in page and "case_diagram.js" in page and "<script>" not in page
    diagram = client.get(f"/cases/{case['id']}/diagram.json").get_json()
    assert "Task_preprocess" in diagram["completed"] and diagram["current"] == ["Task_classify"]
    assert diagram["bpmn_xml"].lstrip().startswith("<?xml") or "<bpmn:definitions" in diagram["bpmn_xml"]
