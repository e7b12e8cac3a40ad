"""Bundles are data an admin loads without Python (API upload or CLI), checked before anything is
stored; every bundle operation is audited and refused to people it does not belong to."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine.bundles.store import read_folder
from engine.models import AuditEvent, Bundle, ProcessDefinition
from tests.factories.bundles import PROCESSES, BundleWorld
from tests.bundles.test_birth_one_thing import FORM, TYPICAL

BOUNDARY = "civicflow-bundle-boundary"


def _multipart(files: dict[str, bytes]) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n".encode() + body + b"\r\n" for name, body in files.items()]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _upload(user, files):
    return user.client.post("/api/v1/bundles", data=_multipart(files), headers=user.headers,
                            content_type=f"multipart/form-data; boundary={BOUNDARY}")


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("birth_one_thing",))


def _counts(container):
    with container.uow() as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(Bundle)),
                s.scalar(select(func.count()).select_from(ProcessDefinition)))


def test_an_admin_uploads_a_bundle_folder_and_the_same_files_again_change_nothing(world, container, client):
    files = read_folder(PROCESSES / "engineering_approval")
    created = _upload(world["root"], files)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["key"] == "engineering_approval" and created.get_json()["items_count"] == 7
    assert _upload(world["root"], files).status_code == 200
    listed = {b["key"]: b for b in client.get("/api/v1/bundles").get_json()}
    assert set(listed) == {"birth_one_thing", "engineering_approval"}
    questions = client.get("/api/v1/bundles/engineering_approval/questionnaire").get_json()["questions"]
    assert questions[1]["show_if"] == "project_kind == 'building'"


@pytest.mark.parametrize("change, field", [
    (lambda f: f.pop("rules.json"), "rules.json"),
    (lambda f: f.__setitem__("bundle.json", b"{not json"), "bundle.json"),
    (lambda f: _edit(f, "rules.json", lambda d: d["materials"].append({"material": "NOPE"})), "rules.json.materials.6.material"),
    (lambda f: _edit(f, "rules.json", lambda d: d["items"].append({"item": "eia", "when": "__import__('os')"})), "rules.json.items.4.when"),
    (lambda f: _edit(f, "questionnaire.json", lambda d: d["questions"][0].update(show_if="1 +")), "questionnaire.json.questions.0.show_if"),
    (lambda f: _edit(f, "bundle.json", lambda d: d["items"][0].update(time_limit="soon")), "bundle.json.items.0.time_limit"),
    (lambda f: _edit(f, "bundle.json", lambda d: d["items"][0]["fields"].append("undeclared")), "bundle.json.items.0.fields"),
    (lambda f: _edit(f, "bundle.json", lambda d: d["departments"].clear()), "bundle.json.items.0.department"),
    (lambda f: f.pop("engineering_approval.bpmn"), "bundle.json.diagram"),
])
def test_a_bad_bundle_is_refused_naming_the_file_and_field_and_nothing_is_stored(world, container, change, field):
    files = read_folder(PROCESSES / "engineering_approval")
    change(files)
    before = _counts(container)
    resp = _upload(world["root"], files)
    assert resp.status_code == 400, resp.get_json()
    assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert _counts(container) == before


def _edit(files, name, mutate):
    data = json.loads(files[name])
    mutate(data)
    files[name] = json.dumps(data, ensure_ascii=False).encode()


def test_loading_and_importing_are_for_admins_only(world, client):
    files = read_folder(PROCESSES / "policy_cashing")
    assert _upload(world["clerk"], files).status_code == 403
    assert client.post("/api/v1/bundles", data=_multipart(files),
                       content_type=f"multipart/form-data; boundary={BOUNDARY}").status_code == 401


def test_department_steps_belong_to_their_department_and_the_case_to_its_applicant(world):
    resp = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]})
    case = resp.get_json()
    intake = case["tasks"][0]
    assert world["li"].post(f"/tasks/{intake['id']}/claim").status_code in (403, 404)
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    health = [t for t in world.case("clerk", case["id"])["tasks"] if t["element_id"] == "Task_review"
              and t["org_unit"] == "DEPT-HEALTH"][0]
    for outsider in ("other-approver", "approver:DEPT-POLICE"):
        assert world[outsider].post(f"/tasks/{health['id']}/claim").status_code in (403, 404)
        assert world[outsider].post(f"/tasks/{health['id']}/complete", json={"data": {"decision": "approve"}}).status_code in (403, 404)
    assert world["stranger"].get(f"/cases/{case['id']}").status_code == 404
    assert world["stranger"].get(f"/cases/{case['id']}/documents").status_code == 404
    material = world.case("zhang", case["id"])["data"]["attachments"]["PARENT_ID"][0]
    assert world["stranger"].get(f"/attachments/{material}").status_code == 404
    assert world["approver:DEPT-HEALTH"].get(f"/attachments/{material}").status_code == 200  # works the case


def test_every_bundle_operation_leaves_an_audit_row(world, container):
    case = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]}).get_json()
    world.do("clerk", case["id"], "Task_intake", intake_decision="reject", intake_opinion="非本市户籍，请至户籍地办理")
    doc = world["zhang"].get(f"/cases/{case['id']}/documents").get_json()[0]
    assert world["zhang"].get(doc["url"].removeprefix("/api/v1")).status_code == 200
    with container.uow() as uow:
        actions = list(uow.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        started = uow.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "case.started"))
    for action in ("bundle.loaded", "attachment.uploaded", "case.started", "task.claimed", "task.completed",
                   "document.issued", "case.completed", "document.rendered"):
        assert action in actions, action
    assert started["bundle"] == "birth_one_thing"
