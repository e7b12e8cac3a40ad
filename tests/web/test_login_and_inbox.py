"""The login page and the plain inbox page, through the test client (CSRF included)."""
from __future__ import annotations

import re

from engine import services
from tests.conftest import DATA
from tests.factories.directory import PASSWORD, make_org_tree, make_user


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)


def _login(client, username: str, password: str = PASSWORD):
    token = _csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"_csrf": token, "username": username, "password": password})


def test_pages_need_a_login_and_a_csrf_token(client, container):
    make_user(container, "wang", "dispatcher")
    assert client.get("/").status_code == 302
    assert client.post("/login", data={"username": "wang", "password": PASSWORD}).status_code == 400
    bad = _login(client, "wang", "wrong-password")
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)
    assert _login(client, "wang").status_code == 302
    assert "待办任务" in client.get("/").get_data(as_text=True)
    assert "Task inbox" in client.get("/?lang=en").get_data(as_text=True)


def test_the_inbox_lists_and_claims_my_tasks(client, container):
    make_org_tree(container)
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    with container.uow() as uow:
        case = services.start_case(uow, "streetlight_repair", {"title": "和平路路灯", "location": "和平路"}, citizen)
    _login(client, "wang")
    html = client.get("/").get_data(as_text=True)
    assert case["number"] in html and "和平路路灯" in html and "分拨" in html and "签收" in html
    task_id = case["tasks"][0]["id"]
    assert client.post(f"/tasks/{task_id}/claim").status_code == 400  # no CSRF token
    assert client.post(f"/tasks/{task_id}/claim", data={"_csrf": _csrf(html)}).status_code == 302
    assert "办理中" in client.get("/").get_data(as_text=True)


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
    client.post("/logout", data={"_csrf": _csrf(client.get("/").get_data(as_text=True))})
    _login(client, "root")
    assert "2027 年放假调休安排尚未确认，1 个在办时限为暂定" in client.get("/").get_data(as_text=True)
