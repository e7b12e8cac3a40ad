"""The notification pages through the test client on a real database: the centre (newest first,
mark read with and without htmx, a link that opens the case and marks it read, paging), nobody
else's notification, the settings (a bad phone is 400 with the field named and nothing saved),
the header's bell, and the admin's rules and outbox pages, which change what the engine uses."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from engine import services
from notifications import dead_letters, inbox, rules
from notifications.delivery import deliver_due
from tests.factories.directory import make_user
from tests.factories.inbox import make_inbox_world
from tests.web.test_task_pages import _sign_in
from webapp.account import notification_centre

HTMX = {"HX-Request": "true"}


def _notifications(container, user_id: int) -> list[dict]:
    with container.uow() as uow:
        return inbox.list_notifications(uow, user_id)["items"]


def _unread(container, user_id: int) -> int:
    with container.uow() as uow:
        return inbox.unread_count(uow, user_id)


def dead_letter(container, citizen: int) -> tuple[int, dict]:
    """A case's SMS receipt that no gateway took: with one attempt allowed it is a dead letter
    after the first delivery run (the test container has no SMS gateway)."""
    with container.uow() as uow:
        inbox.set_preferences(uow, citizen, None, "13800138000", [])
    with container.uow() as uow:
        case = services.start_case(uow, "street_report", {"title": "和平路井盖缺失", "district": "东城区",
                                                          "category": "urban.appearance.exposed_rubbish",
                                                          "limit": "1wd", "urgency": 50}, citizen)
    container.settings = replace(container.settings, outbox_max_attempts=1)
    deliver_due(container, "test")
    with container.uow() as uow:
        [row] = dead_letters.list_outbox(uow, None)["items"]
    assert row["case_id"] == case["id"]
    return row["id"], case


@pytest.fixture
def world(container):
    world = make_inbox_world(container)
    make_user(container, "root", "admin")
    return world


def test_the_centre_lists_newest_first_and_marks_read_with_and_without_htmx(client, container, world):
    token = _sign_in(client, "li")
    mine = _notifications(container, world.handler)
    n = len(mine)  # a new task for each of the three cases, and the urged one
    assert n == 4 and [m["id"] for m in mine] == sorted((m["id"] for m in mine), reverse=True)
    html = client.get("/notifications").get_data(as_text=True)
    assert [html.index(m["subject"]) for m in mine] == sorted(html.index(m["subject"]) for m in mine)
    assert html.count(">未读</span>") == n and f"您有 {n} 条未读通知。" in html
    assert "2026年11月23日 10:00" in html  # the frozen clock, 02:00 UTC, in Shanghai

    resp = client.post(f"/notifications/{mine[0]['id']}/read", data={"csrf_token": token, "unread": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/notifications?unread=1")
    assert _unread(container, world.handler) == n - 1

    part = client.post(f"/notifications/{mine[1]['id']}/read", data={"csrf_token": token}, headers=HTMX)
    text = part.get_data(as_text=True)
    assert part.status_code == 200 and "<html" not in text and f'id="notification-{mine[1]["id"]}"' in text
    assert 'id="notification-bell"' in text and 'hx-swap-oob="true"' in text and f"{n - 2} 条未读通知" in text
    assert client.post(f"/notifications/{mine[2]['id']}/read").status_code == 400  # no CSRF token

    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    assert _unread(container, world.handler) == 0
    assert "没有未读通知" in client.get("/notifications?unread=1").get_data(as_text=True)
    assert client.post("/notifications/read", data={"csrf_token": token}, headers=HTMX).status_code == 200


def test_a_link_opens_the_case_and_marks_the_notification_read(client, container, world):
    _sign_in(client, "li")
    first = _notifications(container, world.handler)[0]
    resp = client.get(f"/notifications/{first['id']}")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/cases/{first['case_id']}"
    assert _unread(container, world.handler) == 3

    _sign_in(client, "zhang")  # a citizen's link goes to their own case pages
    receipts = re.findall(r'href="/notifications/(\d+)"', client.get("/notifications").get_data(as_text=True))
    assert len(receipts) == 3  # 受理回执 of each case they reported
    assert client.get(f"/notifications/{receipts[0]}").headers["Location"].startswith("/my/cases/")


def test_another_users_notification_is_404_and_nothing_changes(client, container, world):
    theirs = _notifications(container, world.colleague)[0]
    before = _unread(container, world.colleague)
    token = _sign_in(client, "li")
    assert client.get(f"/notifications/{theirs['id']}").status_code == 404
    assert client.post(f"/notifications/{theirs['id']}/read", data={"csrf_token": token}).status_code == 404
    assert _unread(container, world.colleague) == before
    assert client.get("/notifications/99999999999999999999").status_code == 404
    assert client.get("/notifications?before=abc&unread=yes").status_code == 200
    assert client.get("/notifications?before=99999999999999999999").status_code == 200
    assert client.get("/notifications?before=²").status_code == 200
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/notifications").status_code == 302


def test_older_notifications_load_a_page_at_a_time(client, container, world, monkeypatch):
    monkeypatch.setattr(notification_centre, "PER_PAGE", 2)
    mine = _notifications(container, world.handler)
    _sign_in(client, "li")
    html = client.get("/notifications").get_data(as_text=True)
    more = f'/notifications?before={mine[1]["id"]}'
    assert mine[0]["subject"] in html and mine[2]["subject"] not in html and f'href="{more}"' in html
    part = client.get(more, headers=HTMX).get_data(as_text=True)
    assert "<html" not in part and mine[2]["subject"] in part and mine[1]["subject"] not in part
    assert 'id="load-more"' not in part and "autofocus" in part
    page = client.get(more).get_data(as_text=True)  # without JavaScript: the older page itself
    assert "<html" in page and mine[2]["subject"] in page and "回到最新" in page


def test_settings_save_and_a_bad_phone_is_400_with_the_field_named_and_nothing_saved(client, container, world):
    token = _sign_in(client, "li")
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "受理回执" in page and "补正告知" in page and "办结通知" in page and 'for="f-phone"' in page
    resp = client.post("/account/notifications", data={"csrf_token": token, "email": "li@example.cn",
                                                       "phone": "13900001111", "channels": ["email", "inapp"]})
    assert resp.status_code == 302
    with container.uow() as uow:
        saved = inbox.preferences(uow, world.handler)
    assert saved == {"email": "li@example.cn", "phone": "13900001111", "channels_off": ["sms"]}
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'id="f-channel-sms" name="channels" value="sms">' in page and 'value="13900001111"' in page

    for field, data in (("phone", {"phone": "139-call-me"}), ("email", {"email": "not-an-address"})):
        bad = client.post("/account/notifications", data={"csrf_token": token, "email": "li@example.cn",
                                                          "phone": "13900001111", "channels": ["sms"]} | data)
        html = bad.get_data(as_text=True)
        assert bad.status_code == 400 and f'id="err-{field}"' in html and 'aria-invalid="true"' in html
        assert data[field] in html  # what was typed comes back to be corrected
        with container.uow() as uow:
            assert inbox.preferences(uow, world.handler) == saved
    english = client.post("/account/notifications?lang=en", data={"csrf_token": token, "phone": "x"})
    assert english.status_code == 400 and "Enter a mobile number" in english.get_data(as_text=True)


def test_the_header_bell_counts_unread_notifications(client, container, world):
    assert 'id="notification-bell"' not in client.get("/login").get_data(as_text=True)
    token = _sign_in(client, "li")
    html = client.get("/").get_data(as_text=True)
    bell = re.search(r'<a id="notification-bell".*?</a>', html, re.S).group(0)
    assert 'href="/notifications"' in bell and "4 条未读通知" in bell and ">4</span>" in bell
    assert 'href="/account/notifications"' in html
    client.post("/notifications/read", data={"csrf_token": token})
    bell = re.search(r'<a id="notification-bell".*?</a>', client.get("/?lang=en").get_data(as_text=True), re.S).group(0)
    assert "Notifications, none unread" in bell and "badge" not in bell


RULE = {"process_key": "street_report", "event": "case.urged", "message": "case_urged",
        "recipients": ["assignee", "supervisor"], "channels": ["inapp"], "active": "1"}


def _effective(container, process_key: str, event: str) -> list[dict]:
    with container.uow() as uow:
        return rules.effective_rules(uow, process_key, event)


def _stored(container) -> list[dict]:
    with container.uow() as uow:
        return rules.list_rules(uow, None)["rules"]


def test_admins_create_edit_and_delete_rules_through_the_pages(client, container, world):
    default = _effective(container, "street_report", "case.urged")
    token = _sign_in(client, "root")
    page = client.get("/admin/notifications/rules?process=street_report").get_data(as_text=True)
    assert "督办" in page and "临期预警" in page and "系统默认" in page
    assert client.get("/admin/notifications/rules/new?process=street_report&event=case.urged").status_code == 200

    assert client.post("/admin/notifications/rules", data={"csrf_token": token, **RULE}).status_code == 302
    [made] = _effective(container, "street_report", "case.urged")
    assert made["recipients"] == ["assignee", "supervisor"] and made["channels"] == ["inapp"]
    assert "本流程的规则" in client.get("/admin/notifications/rules?process=street_report").get_data(as_text=True)

    form = client.get(f"/admin/notifications/rules/{made['id']}").get_data(as_text=True)
    assert 'value="supervisor" id="f-recipients-supervisor" checked' in form
    edited = RULE | {"channels": ["inapp", "sms"], "active": ""}
    resp = client.post(f"/admin/notifications/rules/{made['id']}", data={"csrf_token": token, **edited})
    assert resp.status_code == 302
    assert _effective(container, "street_report", "case.urged") == []  # inactive: the event is silenced

    for bad, field in ((RULE | {"channels": []}, "channels"), (RULE | {"recipients": ["mayor"]}, "recipients"),
                       (RULE | {"process_key": "no_such_process"}, "process_key")):
        resp = client.post("/admin/notifications/rules", data={"csrf_token": token, **bad})
        assert resp.status_code == 400 and f'id="err-{field}"' in resp.get_data(as_text=True), field
    assert len(_stored(container)) == 1

    assert client.post(f"/admin/notifications/rules/{made['id']}/delete", data={"csrf_token": token}).status_code == 302
    assert _effective(container, "street_report", "case.urged") == default and _stored(container) == []
    assert client.get("/admin/notifications/rules?process=nope").status_code == 404
    assert client.get(f"/admin/notifications/rules/{made['id']}").status_code == 404


def test_outbox_retry_through_the_page_turns_a_dead_letter_pending(client, container, world):
    citizen = make_user(container, "liu", "citizen")
    message_id, case = dead_letter(container, citizen)
    token = _sign_in(client, "root")
    html = client.get("/admin/notifications/outbox").get_data(as_text=True)
    assert "13800138000" in html and "no sms channel is configured" in html and "受理回执" in html
    assert f'<a href="/cases/{case["id"]}">{case["number"]}</a>' in html
    assert client.post(f"/admin/notifications/outbox/{message_id}/retry", data={"csrf_token": token}).status_code == 302
    with container.uow() as uow:
        found = dead_letters.list_outbox(uow, None, status="pending")
    assert [m["id"] for m in found["items"]] == [message_id] and found["counts"]["dead"] == 0
    again = client.post(f"/admin/notifications/outbox/{message_id}/retry", data={"csrf_token": token},
                        follow_redirects=True)
    assert "未执行" in again.get_data(as_text=True)
    assert client.get("/admin/notifications/outbox?status=lost").status_code == 400
    assert client.get("/admin/notifications/outbox?status=pending").status_code == 200


ADMIN_PAGES = ["/admin/notifications/rules", "/admin/notifications/rules/new", "/admin/notifications/rules/1",
               "/admin/notifications/outbox"]
ADMIN_FORMS = ["/admin/notifications/rules", "/admin/notifications/rules/1", "/admin/notifications/rules/1/delete",
               "/admin/notifications/outbox/1/retry"]


@pytest.mark.parametrize("username", ["li", "sun", "zhang"])
def test_everyone_but_admins_gets_403_on_the_notification_admin_pages(client, world, username):
    token = _sign_in(client, username)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url
    for url in ADMIN_FORMS:
        assert client.post(url, data={"csrf_token": token, **RULE}).status_code == 403, url
    assert client.get("/notifications").status_code == 200 and client.get("/account/notifications").status_code == 200
