"""办理过程公开 and the citizen's view: anyone with the number and query code sees the step, the
department and the deadline and nothing personal; the reporter sees what they gave and their
documents; another citizen sees nothing of either (issue #14 §5, §7)."""
from __future__ import annotations

import pytest

from tests.factories.event_loop import EventLoop, make_event_loop
from tests.factories.files import jpeg_with_gps, upload_id

REPORT = dict(title="和平路井盖缺失", description="井盖丢了，晚上很危险，我是住3栋的李阿姨", address="和平路12号",
              lat=39.915, lng=116.404, district="D-EAST", reporter_name="李阿姨", reporter_phone="13800138000",
              channel="app")
PERSONAL = ("李阿姨", "13800138000", "住3栋", "zhang", "li")


@pytest.fixture
def loop(client, container) -> EventLoop:
    return make_event_loop(client, container)


@pytest.fixture
def reported(loop) -> dict:
    photo = upload_id(loop.user("zhang"), "well.jpg", jpeg_with_gps(39.915, 116.404))
    case = loop.report("zhang", **REPORT, photos=[photo])
    loop.advance("li", case["id"], "Task_preprocess", decision="accept")
    return case | {"photo": photo}


def _public(client, number: str, code: str):
    return client.get(f"/api/v1/public/cases/{number}?code={code}")


def test_the_right_code_shows_progress_and_nothing_personal(client, loop, reported):
    resp = _public(client, reported["number"], reported["query_code"])
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["number"], body["status"], body["current_step"]) == (reported["number"], "running", "分类定级")
    assert [h["step"] for h in body["history"]] == ["受理", "预处理", "分类定级"]
    assert set(body) == {"number", "title", "process_name", "status", "current_step", "department", "due_at",
                         "created_at", "closed_at", "history"}
    text = resp.get_data(as_text=True)
    assert not [p for p in PERSONAL if p in text] and reported["photo"] not in text


@pytest.mark.parametrize("code", ["WRONG1", "", "x" * 12])
def test_a_wrong_code_reads_like_an_unknown_number(client, loop, reported, code):
    assert _public(client, reported["number"], code).status_code in (400, 404)
    assert _public(client, reported["number"], "ZZZZZZ").status_code == 404
    assert _public(client, "99999999999999", reported["query_code"]).status_code == 404
    assert _public(client, "%00abc", reported["query_code"]).status_code == 404
    assert _public(client, reported["number"], "ZX%2F%C2%9AI%24").status_code == 404  # not ASCII: no 500


def test_the_reporter_sees_what_they_gave_and_not_the_staffs_notes(loop, reported):
    mine = loop.case(reported["id"], "zhang")
    assert mine["data"]["description"] == REPORT["description"] and mine["data"]["photos"] == [reported["photo"]]
    assert "decision" not in mine["data"] and "department" not in mine["data"]
    assert all("actor" not in h for h in mine["history"]) and mine["query_code"] == reported["query_code"]
    assert [d["name"] for d in mine["documents"]] == ["受理回执"]
    assert loop.user("zhang").client.get(f"/api/v1/attachments/{reported['photo']}",
                                         headers=loop.user("zhang").headers).status_code == 200


def test_another_citizen_opens_nothing_by_url(loop, reported):
    other = loop.user("liu")
    assert other.get(f"/cases/{reported['id']}").status_code == 404
    assert other.get(f"/cases/{reported['id']}/documents").status_code == 404
    receipt = loop.case(reported["id"], "zhang")["documents"][0]["id"]
    assert other.client.get(f"/api/v1/documents/{receipt}", headers=other.headers).status_code == 404
    assert other.client.get(f"/api/v1/attachments/{reported['photo']}", headers=other.headers).status_code == 404


def test_a_merged_reporter_cannot_open_the_masters_photos_or_documents(loop, reported):
    duplicate = loop.report("liu", **REPORT)
    loop.advance("li", duplicate["id"], "Task_preprocess", decision="duplicate", master_case=int(reported["number"]))
    liu = loop.user("liu")
    followed = liu.get(f"/cases/{reported['id']}").get_json()
    assert followed["following"] is True and "data" not in followed
    assert liu.get(f"/cases/{reported['id']}/documents").get_json() == []
    assert liu.client.get(f"/api/v1/attachments/{reported['photo']}", headers=liu.headers).status_code == 404
