"""Hostile and careless input (issue #16 §3): NUL bytes, lone surrogates, JSON nested thousands
deep and numbers with thousands of digits are a 400 naming the field, on SQLite and PostgreSQL
alike, and change nothing."""
from __future__ import annotations

import json

import pytest

from tests.factories.api import ApiUser
from tests.factories.directory import PASSWORD, make_user
from tests.factories.event_loop import make_event_loop

DEEP = "[" * 10000 + "]" * 10000


def _problem(resp) -> dict:
    assert resp.status_code == 400, (resp.status_code, resp.get_data(as_text=True)[:300])
    return resp.get_json()["error"]


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_byte_in_the_token_request_is_a_400_naming_it(client, container, field):
    make_user(container, "root", "admin")
    body = {"username": "root", "password": PASSWORD} | {field: "ro\x00ot"}
    assert field in _problem(client.post("/api/v1/auth/token", json=body))["fields"]


def test_a_lone_surrogate_is_a_400_naming_the_field(client, container):
    make_user(container, "root", "admin")
    raw = '{"username": "r\\ud800oot", "password": "x"}'
    assert "username" in _problem(client.post("/api/v1/auth/token", data=raw, content_type="application/json"))["fields"]


def test_json_nested_ten_thousand_deep_is_a_400(client, container):
    make_user(container, "root", "admin")
    admin = ApiUser(client, "root")
    resp = admin.post("/users", data=DEEP, content_type="application/json")
    assert _problem(resp)["code"] == "invalid_input"


REPORT = dict(title="和平路井盖缺失", description="井盖丢了", address="和平路12号", lat=39.915, lng=116.404,
              district="D-EAST", reporter_name="李阿姨", reporter_phone="13800138000", channel="app")


@pytest.mark.parametrize("bad", ["井盖\x00缺失", "井盖\ud800缺失"])
def test_nul_and_surrogates_in_a_report_change_nothing(client, container, bad):
    loop = make_event_loop(client, container)
    zhang = loop.user("zhang")
    before = zhang.get("/cases").get_json()
    body = json.dumps({"process_key": "event_closed_loop", "data": REPORT | {"title": bad}})  # \ud800 escaped
    resp = zhang.post("/cases", data=body, content_type="application/json")
    assert list(_problem(resp)["fields"]) == ["data.title"]
    assert zhang.get("/cases").get_json() == before


def test_a_number_with_four_thousand_digits_in_a_long_field_is_a_400(client, container):
    loop = make_event_loop(client, container)
    case = loop.report("zhang", **REPORT)
    task = loop.open_task(case["id"], "Task_preprocess")
    li = loop.user("li")
    li.post(f"/tasks/{task['id']}/claim")
    body = '{"data": {"decision": "duplicate", "master_case": 1' + "0" * 4000 + "}}"
    resp = li.post(f"/tasks/{task['id']}/complete", data=body, content_type="application/json")
    assert list(_problem(resp)["fields"]) == ["data.master_case"]
    assert [step for step, _ in loop.open_steps(case["id"])] == ["Task_preprocess"]


def test_a_nul_in_a_query_argument_is_a_400(client, container):
    make_user(container, "root", "admin")
    admin = ApiUser(client, "root")
    assert "q" in _problem(admin.get("/users?q=a%00b"))["fields"]


def test_a_nul_in_the_sign_in_form_is_a_400_page(client, container):
    make_user(container, "root", "admin")
    resp = client.post("/login", data={"username": "ro\x00ot", "password": "x"})
    assert resp.status_code == 400 and "部分字段含有无法保存的字符或数字" in resp.get_data(as_text=True)


def test_a_form_part_without_a_name_is_a_client_error(client, container):
    make_user(container, "root", "admin")
    admin = ApiUser(client, "root")
    body = b"--b1\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n--b1--\r\n"
    resp = admin.post("/attachments", data=body, content_type="multipart/form-data; boundary=b1")
    assert resp.status_code == 400 and "file" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("path", ["/cases", "/tasks"])
def test_a_page_beyond_any_list_is_a_400_naming_it(client, container, path):
    make_user(container, "root", "admin")
    resp = ApiUser(client, "root").get(f"{path}?page=100000000000000000000")  # schemathesis found this
    assert list(_problem(resp)["fields"]) == ["page"]


@pytest.mark.parametrize("query, field", [("/external-tasks?case_id=9091485810347457118208", "case_id"),
                                          ("/external-tasks?page=100000000000", "page"),
                                          ("/incidents?case_id=9091485810347457118208", "case_id")])
def test_ids_beyond_the_integer_range_are_a_400_naming_them(client, container, query, field):
    make_user(container, "root", "admin")
    assert list(_problem(ApiUser(client, "root").get(query))["fields"]) == [field]
