"""The inbox (issue #12): filters and sorting in the service, working hours left and the urge
mark on each row, saved filters through the API and the page, and the htmx refresh and claim."""
from __future__ import annotations

import re

from engine import services
from tests.factories.api import ApiUser
from tests.factories.directory import PASSWORD
from tests.factories.inbox import CATEGORIES, make_inbox_world

RUBBISH, TRADING = (code for code, _ in CATEGORIES)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username: str) -> str:
    token = _csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD})
    return _csrf(client.get("/").get_data(as_text=True))


def _titles(container, user: int, **filters) -> list[str]:
    with container.uow() as uow:
        return [r["title"] for r in services.list_tasks(uow, user, **filters)]


def test_filters_sorting_hours_left_and_the_urge_mark(container, clock):
    w = make_inbox_world(container)  # Monday 10:00: 1h, 4wh and 3wd limits
    assert _titles(container, w.handler) == ["解放路占道经营", "和平路暴露垃圾", "人民路暴露垃圾"]  # by priority
    assert _titles(container, w.handler, sort="due") == ["人民路暴露垃圾", "和平路暴露垃圾", "解放路占道经营"]
    assert _titles(container, w.handler, sort="created")[0] == "人民路暴露垃圾"
    assert _titles(container, w.handler, category=RUBBISH, district="东城区") == ["和平路暴露垃圾"]
    assert _titles(container, w.handler, process_key="street_report", due_today=True, sort="due") == [
        "人民路暴露垃圾", "和平路暴露垃圾"]
    with container.uow() as uow:
        rows = {r["title"]: r for r in services.list_tasks(uow, w.handler)}
    assert rows["解放路占道经营"]["working_hours_left"] == 26.5  # 5.5 h today + 7 h on Tue, Wed, Thu
    assert rows["和平路暴露垃圾"]["working_hours_left"] == 4.0
    assert rows["解放路占道经营"]["urged"]["reason"] == "群众反映强烈，请尽快处置"
    assert rows["和平路暴露垃圾"]["urged"] is None
    assert rows["和平路暴露垃圾"]["category_name"] == "城市管理/市容环境/暴露垃圾"
    assert rows["和平路暴露垃圾"]["process_name"] == "街面事件处置"
    clock.advance(hours=5, minutes=30)  # 15:30: the 1h limit is past, 4wh is at 87 %
    assert _titles(container, w.handler, sla_state="overdue") == ["人民路暴露垃圾"]
    assert _titles(container, w.handler, overdue=True) == ["人民路暴露垃圾"]
    assert _titles(container, w.handler, sla_state="warning") == ["和平路暴露垃圾"]
    assert _titles(container, w.handler, sla_state="ok") == ["解放路占道经营"]
    with container.uow() as uow:
        rows = {r["title"]: r for r in services.list_tasks(uow, w.handler)}
    assert rows["和平路暴露垃圾"]["working_hours_left"] == 0.5
    assert rows["人民路暴露垃圾"]["working_hours_left"] == -2.5  # 11:00-12:00 and 14:00-15:30


def test_saved_filters_through_the_api_belong_to_their_user(client, container):
    make_inbox_world(container)
    li, zhao = ApiUser(client, "li"), ApiUser(client, "zhao")
    made = li.post("/saved-filters", json={"name": "东城暴露垃圾", "query": {
        "district": "东城区", "category": RUBBISH, "sort": "due", "due_today": "1"}})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["query"] == {"district": "东城区", "category": RUBBISH, "sort": "due", "due_today": True}
    again = li.post("/saved-filters", json={"name": "东城暴露垃圾", "query": {"sla_state": "overdue"}})
    assert again.get_json()["id"] == made.get_json()["id"]  # the same name replaces
    bad = li.post("/saved-filters", json={"name": "x", "query": {"sla_state": "late", "colour": "red"}})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"sla_state", "colour"}
    assert li.post("/saved-filters", json={"name": " ", "query": {}}).status_code == 400
    assert [f["name"] for f in li.get("/saved-filters").get_json()] == ["东城暴露垃圾"]
    assert zhao.get("/saved-filters").get_json() == []
    fid = made.get_json()["id"]
    assert zhao.client.delete(f"/api/v1/saved-filters/{fid}", headers=zhao.headers).status_code == 404
    assert li.client.delete(f"/api/v1/saved-filters/{fid}", headers=li.headers).status_code == 204
    assert li.get("/saved-filters").get_json() == []


def test_the_page_shows_hours_left_the_urge_mark_and_filters_in_place(client, container):
    make_inbox_world(container)
    _login(client, "li")
    html = client.get("/").get_data(as_text=True)
    assert "待办任务" in html and "督办" in html and "群众反映强烈" in html
    assert "剩余 26.5 个工作小时" in html and "剩余 4.0 个工作小时" in html
    assert "认领" in html and "签收" not in html  # the button is never labelled as a step
    assert 'href="/cases/' in html and 'href="/tasks/' in html and "hx-trigger=\"every 30s" in html
    assert "城市管理/市容环境/暴露垃圾" in html and "街面事件处置" in html
    filtered = client.get("/?district=西城区").get_data(as_text=True)
    assert "人民路暴露垃圾" in filtered and "和平路暴露垃圾" not in filtered
    bad = client.get("/?sla_state=purple&sort=oldest-first&due_today=maybe&page=x&scope=all")
    assert bad.status_code == 400 and "部分筛选条件无法识别" in bad.get_data(as_text=True)
    assert "和平路暴露垃圾" in bad.get_data(as_text=True)  # the rest of the page still works
    hostile = client.get("/?sort=%00")  # a NUL byte is refused before any page (webapp/input_guard.py)
    assert hostile.status_code == 400 and "部分字段含有无法保存的字符或数字" in hostile.get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "26.5 working hours left" in english and "Urged" in english and "Claim" in english


def test_saving_applying_and_deleting_a_filter_on_the_page(client, container):
    w = make_inbox_world(container)
    token = _login(client, "li")
    form = {"name": "西城", "district": "西城区", "sort": "due"}
    assert client.post("/saved-filters", data=form).status_code == 400  # no CSRF token
    saved = client.post("/saved-filters", data=form | {"csrf_token": token})
    assert saved.status_code == 302 and "district=" in saved.headers["Location"]
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "已保存常用筛选“西城”" in page and "人民路暴露垃圾" in page and "和平路暴露垃圾" not in page
    assert 'aria-current="true"' in page  # the saved filter in use is marked
    empty = client.post("/saved-filters", data={"name": "", "csrf_token": token})
    assert empty.status_code == 400 and "请填写名称" in empty.get_data(as_text=True)
    with container.uow() as uow:
        fid = services.list_saved_filters(uow, w.handler)[0]["id"]
    assert client.post(f"/saved-filters/{fid}/delete", data={"csrf_token": token}).status_code == 302
    assert "西城</a>" not in client.get("/").get_data(as_text=True)
    assert client.post(f"/saved-filters/{fid}/delete", data={"csrf_token": token}).status_code == 404


def test_htmx_refresh_and_claim_return_the_table_body(client, container):
    w = make_inbox_world(container)
    token = _login(client, "li")
    body = client.get("/inbox/rows?district=东城区", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.lstrip().startswith("<tbody") and "<html" not in body and "人民路" not in body
    task = w.task_id("和平路暴露垃圾")
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    assert client.post(f"/tasks/{task}/claim", headers={"HX-Request": "true"}).status_code == 400  # no token
    claimed = client.post(f"/tasks/{task}/claim?district=东城区", headers=headers).get_data(as_text=True)
    assert claimed.lstrip().startswith("<tbody") and "已认领" in claimed and "办理中" in claimed
    again = client.post(f"/tasks/{task}/claim", headers=headers).get_data(as_text=True)
    assert "已被他人抢先认领" in again
    plain = client.post(f"/tasks/{w.task_id('人民路暴露垃圾')}/claim?sort=due", data={"csrf_token": token})
    assert plain.status_code == 302 and "sort=due" in plain.headers["Location"]
    assert client.post("/tasks/99999/claim", headers=headers).status_code == 200  # shown in place


def test_the_api_inbox_takes_the_same_filters_and_shows_hours_left(client, container, clock):
    make_inbox_world(container)  # li is the handler
    handler = ApiUser(client, "li")
    rows = handler.get("/tasks?sort=due").get_json()
    assert [r["title"] for r in rows][0] == "人民路暴露垃圾" and rows[0]["working_hours_left"] == 1.0
    assert handler.get("/tasks?sla_state=late").status_code == 400
    clock.advance(hours=5, minutes=30)
    assert [r["title"] for r in handler.get("/tasks?sla_state=overdue").get_json()] == ["人民路暴露垃圾"]
