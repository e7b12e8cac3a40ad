"""A citizen's account pages in Chromium at phone width: registering with the SMS code, the
large-text mode, the public status page and the own-case page; axe-core finds nothing serious
in either mode."""
from __future__ import annotations

import logging
import re

from tests.factories.event_loop import make_event_loop

PHONE = "13712345678"
REPORT = dict(title="和平路井盖缺失", description="我是住3栋的李阿姨", address="和平路12号", district="D-EAST",
              reporter_name="李阿姨", reporter_phone="13800138000", channel="app")


def test_a_citizen_registers_on_the_phone_and_reads_in_large_text(client, container, base_url, phone, shot,
                                                                   check_a11y, caplog):
    make_event_loop(client, container)
    phone.goto(f"{base_url}/login")
    phone.click("text=用手机号码注册")
    phone.fill("#r-phone", PHONE)
    with caplog.at_level(logging.WARNING, logger="notifications.verification"), phone.expect_navigation():
        phone.click("button[value=send]")
    assert "137****5678" in phone.content()
    code = re.search(rf"verification code for {PHONE} is (\d{{6}})", caplog.text).group(1)
    check_a11y(phone)
    shot(phone, "register-code-sent")
    phone.fill("#r-code", code)
    phone.fill("#r-display_name", "李阿姨")
    phone.fill("#r-password", "short")
    with phone.expect_navigation():
        phone.click("button[value=register]")
    assert phone.locator("#r-password-error").is_visible()
    shot(phone, "register-refused")
    phone.fill("#r-password", "Harbour2026")
    with phone.expect_navigation():
        phone.click("button[value=register]")
    assert phone.url.endswith("/my")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375

    with phone.expect_navigation():
        phone.click("button:has-text('大字模式')")
    assert phone.evaluate("document.documentElement.classList.contains('large-text')")
    assert phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 20
    check_a11y(phone)
    shot(phone, "my-cases-large-text")


def test_the_status_page_and_my_case_page_at_phone_width(client, container, base_url, phone, sign_in, shot,
                                                        check_a11y):
    loop = make_event_loop(client, container)
    case = loop.report("zhang", **REPORT)
    loop.advance("li", case["id"], "Task_preprocess", decision="accept")
    phone.goto(f"{base_url}/status")
    phone.fill("#number", case["number"])
    phone.fill("#code", "WRONG1")
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    assert "没有找到" in phone.content()
    phone.fill("#code", case["query_code"])
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    text = phone.inner_text("main")
    assert "分类定级" in text and "李阿姨" not in text and "13800138000" not in text
    check_a11y(phone)
    shot(phone, "public-status")

    sign_in(phone, base_url, "zhang")
    phone.goto(f"{base_url}/my/cases/{case['id']}")
    text = phone.inner_text("main")
    assert "我是住3栋的李阿姨" in text and "受理回执" in text and case["query_code"] in text
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375
    check_a11y(phone)
    shot(phone, "my-case")
    with phone.expect_navigation():
        phone.click("button:has-text('大字模式')")
    check_a11y(phone)
    shot(phone, "my-case-large-text")
