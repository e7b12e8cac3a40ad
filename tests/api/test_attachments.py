"""Attachments through the REST API: what is accepted, what is refused (and then nothing is
stored), where a photo's location goes, and who may read a file."""
from __future__ import annotations

import hashlib
import io

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from engine.models import Attachment, AuditEvent, Case, CaseAttachment
from tests.factories import files
from tests.factories.event_loop import PROCESS_KEY, EventLoop, make_event_loop

REPORT = dict(title="和平路暴露垃圾", address="和平路12号", district="D-EAST", channel="app")


@pytest.fixture
def loop(client, container) -> EventLoop:
    return make_event_loop(client, container)


def stored(container) -> tuple[int, int, list]:
    """(attachment rows, 'attachment.uploaded' audit rows, files under the blob folder)."""
    with container.session_factory() as s:
        rows = s.scalar(select(func.count()).select_from(Attachment))
        audits = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "attachment.uploaded"))
    blobs = container.settings.instance_path / "blobs"
    return rows, audits, [p for p in blobs.rglob("*") if p.is_file()] if blobs.exists() else []


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as im:
        return dict(im.getexif().get_ifd(ExifTags.IFD.GPSInfo))


# --- what is accepted ------------------------------------------------------------------------

def test_a_photo_is_stored_without_its_location_and_served_back_safely(loop, container):
    zhang = loop.user("zhang")
    original = files.jpeg_with_gps()
    assert gps_of(original)  # the phone wrote where it was taken
    resp = files.upload(zhang, "垃圾 现场.jpg", original)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"id", "name", "content_type", "size", "sha256"}
    assert (body["name"], body["content_type"]) == ("垃圾 现场.jpg", "image/jpeg")

    got = zhang.get(f"/attachments/{body['id']}")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%9E%83%E5%9C%BE%20%E7%8E%B0%E5%9C%BA.jpg" in got.headers["Content-Disposition"]
    assert gps_of(got.data) == {}  # no location left in the stored photo
    with Image.open(io.BytesIO(got.data)) as im:
        assert im.size == (48, 32) and im.getexif()[ExifTags.Base.Make] == "CivicPhone"  # the rest is kept
    assert hashlib.sha256(got.data).hexdigest() == body["sha256"] and len(got.data) == body["size"]
    assert zhang.get(f"/attachments/{body['id']}/meta").get_json()["name"] == "垃圾 现场.jpg"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_other_photo_formats_lose_their_location_too(loop, fmt):
    zhang = loop.user("zhang")
    resp = files.upload(zhang, f"photo.{fmt.lower()}", files.photo(fmt))
    assert resp.status_code == 201, resp.get_json()
    assert gps_of(zhang.get(f"/attachments/{resp.get_json()['id']}").data) == {}


def test_a_report_photo_keeps_its_location_for_a_field_that_asks_for_it(loop, container):
    zhang = loop.user("zhang")
    resp = files.upload(zhang, "pothole.jpg", files.jpeg_with_gps(31.2304, 121.4737),
                        process_key=PROCESS_KEY, field="photos")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["location"] == pytest.approx({"lat": 31.2304, "lng": 121.4737}, abs=1e-4)
    assert gps_of(zhang.get(f"/attachments/{body['id']}").data)  # kept in the file as well
    case = loop.report("zhang", **REPORT, lat=body["location"]["lat"], lng=body["location"]["lng"], photos=[body["id"]])
    assert case["status"] == "running"
    meta = loop.user("li").get(f"/attachments/{body['id']}/meta").get_json()  # the operator sees where
    assert meta["location"] == pytest.approx({"lat": 31.2304, "lng": 121.4737}, abs=1e-4)


def test_naming_a_field_that_is_not_an_attachment_field_is_refused(loop, container):
    resp = files.upload(loop.user("zhang"), "p.jpg", files.jpeg_with_gps(), process_key=PROCESS_KEY, field="title")
    assert resp.status_code == 400 and "field" in resp.get_json()["error"]["fields"]
    resp = files.upload(loop.user("zhang"), "p.jpg", files.jpeg_with_gps(), field="photos")
    assert resp.status_code == 400 and "field" in resp.get_json()["error"]["fields"]
    assert stored(container) == (0, 0, [])


def test_a_pdf_is_typed_by_its_bytes_and_an_accepted_upload_is_audited(loop, container):
    zhang = loop.user("zhang")
    resp = files.upload(zhang, "营业执照.jpg", files.pdf())  # the name says JPEG, the bytes say PDF
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["content_type"] == "application/pdf"
    assert zhang.get(f"/attachments/{body['id']}").headers["Content-Type"] == "application/pdf"
    with container.session_factory() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "attachment.uploaded")).one()
    assert event.actor == "zhang"
    assert {k: event.detail[k] for k in ("sha256", "name", "size")} == {
        "sha256": body["sha256"], "name": "营业执照.jpg", "size": body["size"]}


def test_the_same_bytes_twice_are_two_attachments_and_one_stored_file(loop, container):
    data = files.png()
    first = files.upload_id(loop.user("zhang"), "a.png", data)
    second = files.upload_id(loop.user("liu"), "b.png", data)
    assert first != second
    assert stored(container)[:2] == (2, 2) and len(stored(container)[2]) == 1


# --- what is refused, leaving nothing behind -------------------------------------------------

HOSTILE = {
    "exe renamed .jpg": ("holiday.jpg", files.exe_named_jpg, 400),
    "50 MB file": ("scan.pdf", lambda: b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024), 413),
    "just over the limit": ("scan.pdf", lambda: b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), 413),
    "pdf with javascript": ("form.pdf", files.pdf_with_javascript, 400),
    "broken pdf hiding javascript": ("form.pdf", files.broken_pdf_with_hidden_javascript, 400),
    "zip bomb": ("photos.zip", files.zip_bomb, 400),
    "zip bomb named .jpg": ("photo.jpg", files.zip_bomb, 400),
    "png decompression bomb": ("tiny.png", files.png_bomb, 400),
    "path traversal": ("../../etc/passwd.png", files.png, 400),
    "absolute path": ("/var/lib/civicflow/x.png", files.png, 400),
    "windows path": ("..\\..\\boot.png", files.png, 400),
    "nul in the name": ("photo.png\x00.exe", files.png, 400),
    "control character in the name": ("photo\x1b[31m.png", files.png, 400),
    "name too long": ("长" * 100 + ".png", files.png, 400),
    "empty file": ("empty.pdf", lambda: b"", 400),
    "truncated jpeg": ("cut.jpg", lambda: files.jpeg_with_gps()[:200], 400),
}


@pytest.mark.parametrize("name,make,status", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_uploads_are_refused_naming_the_file_and_nothing_is_stored(loop, container, name, make, status):
    resp = files.upload(loop.user("zhang"), name, make())
    assert resp.status_code == status, resp.get_json()
    error = resp.get_json()["error"]
    assert "file" in error["fields"] and error["code"] == ("too_large" if status == 413 else "invalid_input")
    assert stored(container) == (0, 0, [])


def test_a_request_without_a_file_is_a_400_naming_file(loop):
    resp = loop.user("zhang").client.post("/api/v1/attachments", headers=loop.user("zhang").headers,
                                          data={"field": "photos"}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "file" in resp.get_json()["error"]["fields"]


# --- who may read ----------------------------------------------------------------------------

def test_the_owner_and_the_caseworkers_of_a_linked_case_may_read_a_file_and_no_one_else(loop):
    photo = files.upload_id(loop.user("zhang"), "p.jpg", files.jpeg_with_gps())
    assert loop.user("li").get(f"/attachments/{photo}").status_code == 404  # not linked to anything yet
    cid = loop.report("zhang", **REPORT, photos=[photo])["id"]
    assert loop.user("zhang").get(f"/attachments/{photo}").status_code == 200
    assert loop.user("li").get(f"/attachments/{photo}").status_code == 200  # the operator of its case
    for stranger in ("liu", "xi"):  # another citizen; another district's handler
        assert loop.user(stranger).get(f"/attachments/{photo}").status_code == 404
        assert loop.user(stranger).get(f"/attachments/{photo}/meta").status_code == 404
    assert loop.user("zhang").get("/attachments/0123456789abcdef0123456789abcdef").status_code == 404
    assert loop.case(cid)["data"]["photos"] == [photo]


def links(container) -> list[tuple]:
    with container.session_factory() as s:
        return s.execute(select(CaseAttachment.case_id, CaseAttachment.attachment_id, CaseAttachment.field,
                                CaseAttachment.task_id).order_by(CaseAttachment.id)).all()


def test_an_unknown_or_foreign_id_in_a_start_form_is_a_400_naming_the_field(loop, container):
    theirs = files.upload_id(loop.user("zhang"), "p.jpg", files.jpeg_with_gps())
    for ids in ([theirs], ["no-such-attachment"]):
        resp = loop.user("liu").post("/cases", {"process_key": PROCESS_KEY, "data": {**REPORT, "photos": ids}})
        assert resp.status_code == 400, resp.get_json()
        assert list(resp.get_json()["error"]["fields"]) == ["photos"]
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
    assert links(container) == []


def test_task_form_attachments_are_checked_and_linked_with_their_step(loop, container):
    cid = loop.report("zhang", **REPORT)["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", grade="C", urgency="normal")
    loop.advance("zhao", cid, "Task_signfor", signfor="accept")
    handle = loop.open_task(cid, "Task_handle")
    form = {f["name"]: f for f in loop.user("zhao").get(f"/tasks/{handle['id']}").get_json()["form"]["fields"]}
    assert (form["result_photos"]["type"], form["result_photos"]["max"]) == ("attachments", 20)
    foreign = files.upload_id(loop.user("liu"), "x.jpg", files.jpeg_with_gps())
    resp = loop.user("zhao").post(f"/tasks/{handle['id']}/complete", {"data": {
        "handle_action": "done", "result": "已清运", "result_photos": [foreign]}})
    assert resp.status_code == 400 and list(resp.get_json()["error"]["fields"]) == ["result_photos"]
    assert loop.open_task(cid, "Task_handle")["id"] == handle["id"] and links(container) == []

    own = files.upload_id(loop.user("zhao"), "done.jpg", files.jpeg_with_gps(),
                          task_id=str(handle["id"]), field="result_photos")
    loop.advance("zhao", cid, "Task_handle", handle_action="done", result="已清运", result_photos=[own])
    assert links(container) == [(cid, own, "result_photos", handle["id"])]
    assert loop.user("zhang").get(f"/attachments/{own}").status_code == 200  # the reporter sees the result
    assert gps_of(loop.user("zhao").get(f"/attachments/{own}").data) == {}  # this field keeps no location


def test_a_delegate_attaches_a_photo_and_the_owner_completes_with_it(client, container):
    """委派: the delegate's own upload is linked when they resolve, so the owner may submit it."""
    from tests.factories.api import ApiUser
    from tests.factories.bpmn import diagram, end, flow, start
    from tests.factories.directory import make_org_tree, make_user
    from tests.factories.files import upload_id
    photo_step = ('<bpmn:userTask id="inspect" name="inspect" camunda:candidateGroups="inspector">'
                  '<bpmn:extensionElements><camunda:formData><camunda:formField id="photos" type="attachments"/>'
                  '</camunda:formData></bpmn:extensionElements></bpmn:userTask>')
    make_org_tree(container)
    for name, role in (("root", "admin"), ("owner", "inspector"), ("helper", "inspector"), ("zhang", "citizen")):
        make_user(container, name, role)
    users = {n: ApiUser(client, n) for n in ("root", "owner", "helper", "zhang")}
    assert users["root"].upload(("p.bpmn", diagram("photo_check", start() + photo_step + end() + flow("start", "inspect", "end")))).status_code == 201
    case = users["zhang"].post("/cases", json={"process_key": "photo_check", "data": {}}).get_json()
    task_id = case["tasks"][0]["id"]
    assert users["owner"].post(f"/tasks/{task_id}/delegate", json={"to_user": "helper", "reason": "现场核查"}).status_code == 200
    photo = upload_id(users["helper"], "site.jpg", files.jpeg_with_gps())
    assert users["helper"].post(f"/tasks/{task_id}/resolve", json={"data": {"photos": [photo]}}).status_code == 200
    done = users["owner"].post(f"/tasks/{task_id}/complete", json={"data": {}})
    assert done.status_code == 200, done.get_json()
    assert users["owner"].get(f"/attachments/{photo}").status_code == 200
