"""The inbox in a real browser: traffic lights and working hours left, the urge mark, filters,
a saved filter applied again, a claim through htmx without reloading, at 1280 and 375 px."""
from __future__ import annotations

import pytest

from tests.factories.inbox import make_inbox_world


@pytest.fixture
def inbox_at_half_past_three(container, clock) -> None:
    """Monday 15:30: the 1h task is overdue, the 4wh one is due soon, the 3wd one on time."""
    make_inbox_world(container)
    clock.advance(hours=5, minutes=30)


def _row(page, title: str):
    return page.locator("tr.inbox-row", has_text=title)


def test_a_handler_filters_saves_a_filter_and_claims_in_place(page, base_url, inbox_at_half_past_three,
                                                             sign_in, shot, check_a11y):
    sign_in(page, base_url, "li")
    page.get_by_role("heading", name="待办任务").wait_for()  # visible (waits under load)
    overdue, soon, ok = _row(page, "人民路暴露垃圾"), _row(page, "和平路暴露垃圾"), _row(page, "解放路占道经营")
    assert "sla-overdue" in overdue.get_attribute("class") and overdue.get_by_text("超期").is_visible()
    assert "sla-warning" in soon.get_attribute("class") and soon.get_by_text("临期").is_visible()
    assert "sla-ok" in ok.get_attribute("class") and ok.get_by_text("正常").is_visible()
    assert overdue.get_by_text("已超时 2.5 个工作小时").is_visible()
    assert soon.get_by_text("剩余 0.5 个工作小时").is_visible()
    assert ok.locator(".urged-badge").inner_text().strip() == "督办"
    assert ok.get_by_text("群众反映强烈").is_visible() and not soon.locator(".urged-badge").count()
    check_a11y(page)
    shot(page, "inbox-1280")

    page.get_by_text("筛选与排序").click()
    page.get_by_label("区域").select_option("西城区")
    page.get_by_label("排序").select_option("due")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选", exact=True).click()
    assert "district=" in page.url and _row(page, "人民路暴露垃圾").is_visible()
    assert not _row(page, "和平路暴露垃圾").count()
    page.get_by_label("将当前筛选保存为").fill("西城按时限")
    with page.expect_navigation():
        page.get_by_role("button", name="保存筛选").click()
    assert page.get_by_text("已保存常用筛选“西城按时限”。").is_visible()
    check_a11y(page)
    shot(page, "inbox-filtered-1280")

    page.goto(f"{base_url}/")
    assert _row(page, "和平路暴露垃圾").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="西城按时限").click()
    assert _row(page, "人民路暴露垃圾").is_visible() and not _row(page, "解放路占道经营").count()

    page.goto(f"{base_url}/")
    page.evaluate("() => { window.notReloaded = true; }")
    _row(page, "和平路暴露垃圾").get_by_role("button", name="认领").click()
    page.get_by_role("status").filter(has_text="已认领").wait_for()
    assert page.evaluate("() => window.notReloaded === true")  # htmx swapped the body only
    assert _row(page, "和平路暴露垃圾").get_by_text("办理中").is_visible()
    assert _row(page, "和平路暴露垃圾").get_by_role("link", name="办理").is_visible()
    check_a11y(page)
    shot(page, "inbox-claimed-1280")


def test_on_a_phone_rows_are_cards(phone, base_url, inbox_at_half_past_three, sign_in, shot, check_a11y):
    sign_in(phone, base_url, "li")
    assert _row(phone, "解放路占道经营").locator(".urged-badge").is_visible()
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide at 375 px"
    assert _row(phone, "人民路暴露垃圾").evaluate("tr => getComputedStyle(tr).display") == "block"
    check_a11y(phone)
    shot(phone, "inbox-375")
    phone.get_by_text("筛选与排序").click()
    assert phone.evaluate("() => document.scrollingElement.scrollWidth") <= 375
    check_a11y(phone)
    shot(phone, "inbox-filter-375")
