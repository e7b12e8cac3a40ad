"""The page foundations in a real browser: header, inbox, language switch, error page, phone
width and accessibility (axe-core) in Chinese and English."""
from __future__ import annotations

import pytest

from engine import services
from tests.conftest import DATA
from tests.factories.directory import PASSWORD, make_org_tree, make_user


@pytest.fixture
def handler_with_a_task(container) -> str:
    """A handler of 东城区城管局 with one streetlight case waiting in their inbox."""
    make_org_tree(container)
    dispatcher = make_user(container, "wang", "dispatcher", org_unit="CITY")
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.create_user(uow, "li", PASSWORD, ["handler"], "D-EAST-CG", display_name="李处置")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    with container.uow() as uow:
        case = services.start_case(uow, "streetlight_repair",
                                   {"title": "和平路 88 号门前路灯不亮", "location": "和平路 88 号"}, citizen)
    task_id = case["tasks"][0]["id"]
    with container.uow() as uow:
        services.claim_task(uow, task_id, dispatcher)
    with container.uow() as uow:
        services.complete_task(uow, task_id, {"valid": True, "department": "D-EAST-CG"}, dispatcher)
    return "li"


def _assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide at 375 px"


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_a_handler_signs_in_and_sees_their_inbox(request, viewport, base_url, handler_with_a_task,
                                                  sign_in, shot, check_a11y):
    page = request.getfixturevalue(viewport)
    page.goto(f"{base_url}/login")
    check_a11y(page)
    shot(page, "login-zh")
    sign_in(page, base_url, handler_with_a_task)
    header = page.locator("header")
    if viewport == "phone":
        assert not header.get_by_text("李处置").is_visible()  # folded into the menu
        page.get_by_role("button", name="菜单").click()
    header.get_by_role("button", name="李处置").click()  # the user menu: who, where, what is theirs
    for text in ("东城区城管局", "处置人员"):
        assert header.get_by_text(text).first.is_visible(), text
    for link in ("我的资料", "通知设置"):
        assert header.get_by_role("link", name=link).is_visible(), link
    assert header.get_by_role("button", name="退出").is_visible()
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)  # the button's colours ease back (Bootstrap's transition) before axe looks
    assert page.get_by_role("heading", name="待办任务").is_visible()
    assert page.get_by_text("和平路 88 号门前路灯不亮").is_visible()
    assert page.get_by_role("button", name="认领").is_visible()
    check_a11y(page)
    shot(page, "inbox-zh")
    page.goto(f"{base_url}/?lang=en")
    assert page.get_by_role("heading", name="Task inbox").is_visible()
    assert page.get_by_role("button", name="Claim").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    check_a11y(page)
    shot(page, "inbox-en")
    if viewport == "phone":
        _assert_no_sideways_scroll(page)


@pytest.mark.parametrize("lang, title, back", [("zh", "页面不存在", "返回首页"), ("en", "Page not found", "Back to the start page")],
                         ids=["zh", "en"])
def test_the_error_page_speaks_the_pages_language_and_leads_back(page, phone, base_url, lang, title, back,
                                                                   shot, check_a11y):
    for name, tab in (("desktop", page), ("phone", phone)):
        response = tab.goto(f"{base_url}/no-such-page?lang={lang}")
        assert response.status == 404
        assert tab.get_by_role("heading", name=title).is_visible()
        assert tab.get_by_role("link", name=back).get_attribute("href") == "/"
        assert lang == "en" or "requested URL" not in tab.content()  # werkzeug's English stays off a Chinese page
        check_a11y(tab)
        shot(tab, f"404-{lang}-{name}")
    _assert_no_sideways_scroll(phone)


def test_the_language_choice_is_remembered_and_the_phone_login_fits(phone, base_url, shot, check_a11y):
    phone.goto(f"{base_url}/login?lang=en")
    phone.goto(f"{base_url}/login")
    assert phone.get_by_role("heading", name="Sign in").is_visible()
    check_a11y(phone)
    shot(phone, "login-en")
    _assert_no_sideways_scroll(phone)
