"""Hostile or broken uploads are refused with a clear error, and nothing is stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, Case, ProcessDefinition
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user

GOOD = (DATA / "streetlight_repair.bpmn").read_text(encoding="utf-8")

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:documentation>&lol4;</bpmn:documentation></bpmn:process>
</bpmn:definitions>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:documentation>&xxe;</bpmn:documentation></bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def admin(client, container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    return ApiUser(client, "root")


def _nothing_stored(container) -> None:
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "process.deployed")) == 0


def _with_condition(expression: str) -> bytes:
    return GOOD.replace("${passed}", expression.replace("&", "&amp;").replace("<", "&lt;")).encode()


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entities_and_dtds_are_refused(admin, container, body):
    resp = admin.upload(("evil.bpmn", body.encode()))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "diagram_invalid"
    assert "evil.bpmn" in resp.get_json()["error"]["fields"]
    _nothing_stored(container)


def test_a_six_megabyte_file_is_refused_as_too_large(admin, container):
    padding = "<!-- " + "x" * (6 * 1024 * 1024) + " -->"
    resp = admin.upload(("big.bpmn", GOOD.replace("<bpmn:collaboration", padding + "<bpmn:collaboration").encode()))
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"
    _nothing_stored(container)


@pytest.mark.parametrize("condition", [
    "__import__('os').system('id')",
    "${__import__('os').system('id')}",
    "().__class__.__bases__",
    "open('/etc/passwd')",
    "${open('/etc/passwd').read()}",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "eval('1+1')",
    "'{0.__class__}'.format(passed)",
])
def test_hostile_conditions_are_refused_at_upload(admin, container, condition):
    resp = admin.upload(("hostile.bpmn", _with_condition(condition)))
    assert resp.status_code == 400, resp.get_json()
    fields = resp.get_json()["error"]["fields"]
    assert list(fields) == ["Flow_passed"]
    assert fields["Flow_passed"][0].startswith("line ")
    _nothing_stored(container)


def test_a_script_task_that_imports_is_refused(admin, container):
    script = """<bpmn:scriptTask id="Script_evil" name="evil" scriptFormat="python">
      <bpmn:incoming>Flow_start</bpmn:incoming><bpmn:outgoing>Flow_s2</bpmn:outgoing>
      <bpmn:script>import os
os.system('id')</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_s2" sourceRef="Script_evil" targetRef="Task_dispatch" />"""
    body = GOOD.replace('<bpmn:sequenceFlow id="Flow_start" sourceRef="StartEvent_report" targetRef="Task_dispatch" />',
                        '<bpmn:sequenceFlow id="Flow_start" sourceRef="StartEvent_report" targetRef="Script_evil" />'
                        + script)
    resp = admin.upload(("script.bpmn", body.encode()))
    assert resp.status_code == 400
    assert "Script_evil" in resp.get_json()["error"]["fields"]
    _nothing_stored(container)


@pytest.mark.parametrize("change, element, words", [
    (('camunda:candidateGroups="dispatcher"', ''), None, None),
    (('camunda:candidateGroups="dispatcher"', 'camunda:candidateGroups="dispatcher@NOWHERE"'),
     "Task_dispatch", "no org unit with code 'NOWHERE'"),
    (('camunda:candidateGroups="dispatcher"', 'camunda:candidateGroups="wizard@CITY"'),
     "Task_dispatch", "unknown role 'wizard'"),
    (('<bpmn:userTask id="Task_verify" name="核查">', '<bpmn:userTask id="Task_verify" name="核查" camunda:formKey="no-such-form">'),
     "Task_verify", "not a registered form"),
    (('type="long" defaultValue="1"', 'type="currency"'), "StartEvent_report", "type 'currency'"),
    (('camunda:dueDate="3wd"', 'camunda:dueDate="three days"'), "Task_handle", "due date 'three days'"),
    (('<bpmn:lane id="Lane_inspector" name="核查员">', '<bpmn:lane id="Lane_inspector" name="Back office">'),
     "Task_verify", "no candidate"),
    (('"EndEvent_done"', '"End"'), "End", "reserved"),
])
def test_unresolvable_tasks_are_refused_naming_element_and_line(admin, container, change, element, words):
    resp = admin.upload(("broken.bpmn", GOOD.replace(*change).encode()))
    if element is None:  # the lane still names a role: a task without candidateGroups is fine
        assert resp.status_code == 201
        return
    assert resp.status_code == 400, resp.get_json()
    messages = resp.get_json()["error"]["fields"][element]
    assert any(words in m and m.startswith("line ") for m in messages), messages
    _nothing_stored(container)


def test_not_xml_and_not_bpmn_are_refused(admin, container):
    assert admin.upload(("x.bpmn", b"<bpmn:definitions")).status_code == 400
    no_process = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>'
    assert admin.upload(("x.bpmn", no_process)).status_code == 400
    assert admin.upload(("notes.txt", b"hello")).status_code == 400
    assert admin.client.post("/api/v1/processes", headers=admin.headers).status_code == 400
    _nothing_stored(container)


def test_only_admins_may_upload(client, container):
    make_org_tree(container)
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    resp = ApiUser(client, "wang").upload(("streetlight_repair.bpmn", GOOD.encode()))
    assert resp.status_code == 403
    _nothing_stored(container)


def test_a_new_version_leaves_running_cases_on_theirs(admin, client, container):
    make_user(container, "zhang", "citizen")
    assert admin.upload(("s.bpmn", GOOD.encode())).get_json()["version"] == 1
    citizen = ApiUser(client, "zhang")
    old = citizen.post("/cases", {"process_key": "streetlight_repair",
                                  "data": {"title": "a", "location": "b"}}).get_json()
    v2 = admin.upload(("s.bpmn", GOOD.replace('name="分拨"', 'name="派单"').encode()))
    assert v2.status_code == 201 and v2.get_json()["version"] == 2
    new = citizen.post("/cases", {"process_key": "streetlight_repair",
                                  "data": {"title": "a", "location": "b"}}).get_json()
    old, new = (admin.get(f"/cases/{c['id']}").get_json() for c in (old, new))
    assert (old["process_version"], old["tasks"][0]["name"]) == (1, "分拨")
    assert (new["process_version"], new["tasks"][0]["name"]) == (2, "派单")
    assert [p["version"] for p in admin.get("/processes?all=1").get_json()] == [2, 1]
    assert [p["version"] for p in admin.get("/processes").get_json()] == [2]


def test_a_due_date_expression_that_yields_junk_is_a_422_and_changes_nothing(admin, client, container):
    make_user(container, "zhang", "citizen")
    body = GOOD.replace('camunda:dueDate="30m"', 'camunda:dueDate="${location}"').encode()
    assert admin.upload(("s.bpmn", body)).status_code == 201
    resp = ApiUser(client, "zhang").post("/cases", {"process_key": "streetlight_repair",
                                                    "data": {"title": "灯", "location": "和平路"}})
    assert resp.status_code == 422 and "Task_dispatch" in resp.get_json()["error"]["fields"]
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
