"""The login page and the plain inbox page, through the test client (CSRF included)."""
from __future__ import annotations

import re

from engine import services
from tests.conftest import DATA
from tests.factories.directory import PASSWORD, make_org_tree, make_user


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username: str, password: str = PASSWORD):
    token = _csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password})


def _streetlight_case(container) -> dict:
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    with container.uow() as uow:
        return services.start_case(uow, "streetlight_repair", {"title": "和平路路灯", "location": "和平路"}, citizen)


def test_pages_need_a_login_and_a_csrf_token(client, container):
    make_user(container, "wang", "dispatcher")
    assert client.get("/").status_code == 302
    bad = _login(client, "wang", "wrong-password")
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)
    assert _login(client, "wang").status_code == 302
    assert "待办任务" in client.get("/").get_data(as_text=True)
    assert "Task inbox" in client.get("/?lang=en").get_data(as_text=True)


def test_a_sign_in_without_a_token_is_refused_with_a_page_in_its_language(client, container):
    make_user(container, "wang", "dispatcher")
    refused = client.post("/login", data={"username": "wang", "password": PASSWORD})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "页面已过期，请刷新后重试" in html and 'href="/"' in html
    assert "token is missing" not in html  # no English in a Chinese page
    refused = client.post("/login?lang=en", data={"username": "wang", "password": PASSWORD, "csrf_token": "forged"})
    assert refused.status_code == 400 and "The page expired; reload and try again." in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_the_inbox_lists_and_claims_my_tasks(client, container):
    make_org_tree(container)
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    case = _streetlight_case(container)
    _login(client, "wang")
    html = client.get("/").get_data(as_text=True)
    assert case["number"] in html and "和平路路灯" in html and "分拨" in html
    assert "认领" in html and "签收" not in html  # 签收 is a step of the event loop, not the button
    task_id = case["tasks"][0]["id"]
    refused = client.post(f"/tasks/{task_id}/claim")
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    assert "待认领" in client.get("/").get_data(as_text=True)  # the refused claim changed nothing
    assert client.post(f"/tasks/{task_id}/claim", data={"csrf_token": _csrf(html)}).status_code == 302
    assert "办理中" in client.get("/").get_data(as_text=True)


def test_the_header_names_the_person_their_unit_and_roles_not_codes(client, container):
    make_org_tree(container)
    with container.uow() as uow:
        services.create_user(uow, "li", PASSWORD, ["handler"], "D-EAST-CG", display_name="李处置")
    _login(client, "li")
    zh = client.get("/").get_data(as_text=True)
    assert "李处置" in zh and "东城区城管局" in zh and "处置人员" in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "Handler" in en and 'lang="en"' in en and 'href="/supervise"' not in en and 'href="/"' in en


def test_the_api_needs_no_csrf_token(client, container):
    make_user(container, "wang", "dispatcher")
    resp = client.post("/api/v1/auth/token", json={"username": "wang", "password": PASSWORD})
    assert resp.status_code == 200 and resp.get_json()["token"]


def test_vendor_files_are_served_from_the_allowlist_only(client):
    css = client.get("/vendor/bootstrap/dist/css/bootstrap.min.css")
    assert css.status_code == 200 and "max-age=31536000" in css.headers["Cache-Control"]
    css.close()
    for refused in ("bootstrap/package.json", "bootstrap/dist/../package.json", "bootstrap/scss/bootstrap.scss",
                    "axe-core/axe.js", "left-pad/index.js", "%2e%2e/setup.cfg", "bootstrap/dist/%2e%2e/package.json"):
        assert client.get(f"/vendor/{refused}").status_code == 404, refused


def test_admins_see_unconfirmed_years_and_provisional_deadlines(client, container, clock):
    from datetime import datetime, timezone
    clock._at = datetime(2026, 12, 21, 2, 0, tzinfo=timezone.utc)
    make_org_tree(container)
    make_user(container, "root", "admin")
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    with container.uow() as uow:
        services.set_time_limit(uow, None, "streetlight_repair", "Task_dispatch", "15wd")
    with container.uow() as uow:
        services.start_case(uow, "streetlight_repair", {"title": "灯", "location": "路"}, citizen)
    _login(client, "wang")
    assert "（暂定）" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    _login(client, "root")
    assert "2027 年放假调休安排尚未确认，1 个在办时限为暂定" in client.get("/").get_data(as_text=True)
