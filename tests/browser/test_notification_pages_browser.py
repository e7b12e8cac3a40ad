"""The notification pages in Chromium: a caseworker sees the bell's count once a case is
reported, opens the notification centre, marks one read in place (htmx) and follows another to
its case, which reads it; the settings refuse a bad mobile number in place; an admin overrides a
rule for one process and retries a dead letter. At 375 px the bell stays in the header and the
centre fits. axe-core finds nothing serious on any page; every page is screenshotted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import User
from notifications import dead_letters, inbox, rules
from tests.browser.test_caseworker_journeys import MANHOLE, PARKING
from tests.factories.directory import make_user
from tests.factories.event_loop import make_event_loop
from tests.factories.inbox import make_inbox_world
from tests.web.test_notification_pages import dead_letter


def _user_id(container, username: str) -> int:
    with container.session_factory() as s:
        return s.scalar(select(User.id).where(User.username == username))


def _unread(container, user_id: int) -> int:
    with container.uow() as uow:
        return inbox.unread_count(uow, user_id)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 375


def test_a_caseworker_follows_the_bell_to_a_reported_case(client, container, page, phone, base_url, sign_in,
                                                          shot, check_a11y):
    loop = make_event_loop(client, container)
    li = _user_id(container, "li")
    sign_in(page, base_url, "li")
    assert page.locator("#notification-bell .badge").count() == 0
    assert "无未读" in page.locator("#notification-bell").inner_text()

    first = loop.report("li", **PARKING)["id"]
    loop.report("li", **MANHOLE)
    count = _unread(container, li)
    assert count == 2  # 新的待办 of each case: li is the 12345 operator who pre-processes them
    page.reload()
    bell = page.locator("#notification-bell")
    assert bell.locator(".badge").inner_text() == str(count) and f"{count} 条未读通知" in bell.inner_text()
    check_a11y(page)
    shot(page, "01-inbox-with-bell")

    bell.click()
    page.wait_for_url(f"{base_url}/notifications")
    items = page.locator("#notification-list > li.notification")
    assert items.count() == count and page.locator(".notification-unread").count() == count
    check_a11y(page)
    shot(page, "02-notification-centre")

    # mark the newest read in place: the item turns read, the bell counts one less, focus stays on it
    newest = items.first
    newest.get_by_role("button").click()
    page.locator(f"#{newest.get_attribute('id')}:not(.notification-unread)").wait_for()
    assert bell.locator(".badge").inner_text() == str(count - 1) and _unread(container, li) == count - 1
    assert f"您有 {count - 1} 条未读通知" in page.locator("#unread-summary").inner_text()
    assert page.evaluate("() => document.activeElement.id") == newest.get_attribute("id")
    check_a11y(page)
    shot(page, "03-one-marked-read")

    # follow the older case's notification to its case page: it is read on the way
    page.locator(".notification-unread a", has_text=loop.case(first)["number"]).first.click()
    page.wait_for_url(f"{base_url}/cases/{first}")
    assert _unread(container, li) == 0 and bell.locator(".badge").count() == 0
    shot(page, "04-followed-to-case")

    page.goto(f"{base_url}/account/notifications")
    check_a11y(page)
    shot(page, "05-settings")
    page.fill("#f-phone", "139-call-me")
    page.locator("#f-channel-sms").uncheck()
    page.locator("form[action='/account/notifications'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#err-phone").is_visible() and page.locator("#f-phone").get_attribute("aria-invalid") == "true"
    check_a11y(page)
    shot(page, "06-settings-refused")
    page.fill("#f-phone", "13900001111")
    page.locator("form[action='/account/notifications'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "通知设置已保存" in page.locator("main .alert-success").inner_text()
    with container.uow() as uow:
        assert inbox.preferences(uow, li)["channels_off"] == ["sms"]

    # the phone: the bell, with its count, stays in the header (outside the collapsed menu); the centre fits
    loop.report("li", **PARKING | {"title": "人民路占道经营", "address": "人民路8号"})
    sign_in(phone, base_url, "li")
    assert phone.locator("#notification-bell .badge").inner_text() == str(_unread(container, li))
    assert phone.locator("#nav-main").is_hidden()
    _no_sideways_scroll(phone)
    phone.locator("#notification-bell").click()
    phone.wait_for_url(f"{base_url}/notifications")
    _no_sideways_scroll(phone)
    check_a11y(phone)
    shot(phone, "07-phone-centre")
    phone.goto(f"{base_url}/account/notifications")
    _no_sideways_scroll(phone)
    check_a11y(phone)
    shot(phone, "08-phone-settings")

    for path, name in (("/notifications", "09-centre-en"), ("/account/notifications", "10-settings-en")):
        page.goto(f"{base_url}{path}?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        check_a11y(page)
        shot(page, name)


@pytest.fixture
def admin_world(container):
    world = make_inbox_world(container)
    make_user(container, "root", "admin")
    message_id, case = dead_letter(container, make_user(container, "liu", "citizen"))
    return world, message_id, case


def test_an_admin_overrides_a_rule_and_retries_a_dead_letter(container, admin_world, page, phone, base_url, sign_in,
                                                             shot, check_a11y):
    _, message_id, case = admin_world
    sign_in(page, base_url, "root")
    page.goto(f"{base_url}/admin")
    page.locator(".admin-sections a", has_text="通知管理").click()
    page.wait_for_url(f"{base_url}/admin/notifications/rules")
    check_a11y(page)
    shot(page, "01-rules-all-processes")

    page.select_option("#q-process", "street_report")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url("**/admin/notifications/rules?process=street_report")
    urged = page.locator("#event-case-urged")
    assert "系统默认" in urged.inner_text()
    shot(page, "02-rules-street-report")
    urged.get_by_role("link", name="在此覆盖").click()
    page.wait_for_load_state()
    assert page.locator("#f-channels-sms").is_checked()
    check_a11y(page)
    shot(page, "03-rule-form")
    page.locator("#f-channels-sms").uncheck()
    page.locator("#f-recipients-supervisor").check()
    page.get_by_role("button", name="保存规则").click()
    page.wait_for_url("**/admin/notifications/rules?process=street_report")
    assert "本流程的规则" in page.locator("#event-case-urged").inner_text()
    with container.uow() as uow:
        [rule] = rules.effective_rules(uow, "street_report", "case.urged")
    assert rule["channels"] == ["inapp"] and rule["recipients"] == ["assignee", "supervisor"]
    check_a11y(page)
    shot(page, "04-rule-saved")

    page.get_by_role("link", name="发件箱").click()
    page.wait_for_url("**/admin/notifications/outbox")
    row = page.locator("tbody tr", has_text="13800138000")
    assert case["number"] in row.inner_text() and "no sms channel is configured" in row.inner_text()
    check_a11y(page)
    shot(page, "05-dead-letters")
    row.get_by_role("button").click()
    page.wait_for_load_state()
    assert "重新排队" in page.locator("main .alert-success").inner_text()
    with container.uow() as uow:
        found = dead_letters.list_outbox(uow, None, status="pending")
    assert [m["id"] for m in found["items"]] == [message_id]
    check_a11y(page)
    shot(page, "06-retried")

    sign_in(phone, base_url, "root")
    phone.goto(f"{base_url}/admin/notifications/rules?process=street_report")
    _no_sideways_scroll(phone)
    check_a11y(phone)
    shot(phone, "07-phone-rules")
    phone.goto(f"{base_url}/admin/notifications/outbox?status=pending")
    _no_sideways_scroll(phone)
    check_a11y(phone)
    shot(phone, "08-phone-outbox")
