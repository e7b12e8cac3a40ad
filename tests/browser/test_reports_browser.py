"""The monthly supervision report page in Chromium, at desktop width and on a 390 px phone: the
four lists' counts, the KPI table and the three charts drawn, axe-core clean, nothing scrolling
sideways on the phone, and a case number that opens the case. Screenshots in build/screenshots."""
from __future__ import annotations

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.factories.supervision_reports import supervision_world

NOVEMBER = "/reports/monthly/2026-11"
IPHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_390(browser):
    context = browser.new_context(viewport=IPHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _check_report(page, check_a11y) -> None:
    counts = {code: page.locator(f'[data-count="{code}"]').inner_text()
              for code in ("overdue", "repeated", "long_open", "buck_passing")}
    assert counts == {"overdue": "3", "repeated": "2", "long_open": "2", "buck_passing": "2"}
    assert page.locator("h1").inner_text() == "月报 2026-11"
    charts = page.locator(".report-chart svg")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box["width"] > 250 and box["height"] > 100
    assert page.locator('tr[data-district="D-EAST"] td[data-kpi="accepted"]').inner_text().strip() != ""
    check_a11y(page)


def test_the_monthly_report_at_desktop_width(page, base_url, client, container, clock, sign_in, shot, check_a11y):
    world = supervision_world(client, container, clock)
    sign_in(page, base_url, "zheng")  # 市督办: the whole city
    page.goto(f"{base_url}/reports/")
    shot(page, "1-index")
    check_a11y(page)
    page.get_by_role("link", name="2026-11").first.click()
    page.wait_for_url(f"**{NOVEMBER}")
    _check_report(page, check_a11y)
    shot(page, "2-monthly-report")
    page.locator(f'#list-buck_passing a[href="/cases/{world["B2"]}"]').click()
    page.wait_for_url(f"**/cases/{world['B2']}")
    assert "B2 两次退单" in page.locator("main").inner_text()


def test_the_monthly_report_on_a_390_px_phone(phone_390, base_url, client, container, clock, sign_in, shot,
                                              check_a11y):
    supervision_world(client, container, clock)
    sign_in(phone_390, base_url, "zheng")
    phone_390.goto(f"{base_url}{NOVEMBER}")
    _check_report(phone_390, check_a11y)
    assert phone_390.evaluate("document.documentElement.scrollWidth") <= IPHONE["width"]
    shot(phone_390, "monthly-report-390px")
