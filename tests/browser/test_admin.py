"""The admin console in a real browser: an admin uploads a diagram, sees the refused element
marked in it, fixes it, deploys the new version, and a case started on it shows its current
step on the case page's diagram. Every admin page is screenshotted and axe-clean at 1280 and 375 px."""
from __future__ import annotations

import pytest

from engine import services
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user
from tests.factories.event_loop import ORG_TREE, process_files
from tests.web.test_admin_pages import engine_troubles

GOOD = (DATA / "streetlight_repair.bpmn").read_bytes()
REFUSED = GOOD.replace(b'camunda:candidateGroups="dispatcher"', b'camunda:candidateGroups="wizard"')
FIXED = GOOD.replace("路灯报修".encode(), "路灯报修（二版）".encode())
PAGES = {"console": "/admin", "processes": "/admin/processes", "version": "/admin/processes/streetlight_repair/1",
         "users": "/admin/users", "user": "/admin/users/wang", "org-units": "/admin/org-units",
         "calendar": "/admin/calendar", "catalogue": "/admin/catalogue", "incidents": "/admin/incidents",
         "external-tasks": "/admin/external-tasks", "audit": "/admin/audit"}


@pytest.fixture
def world(container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", GOOD)], None)
    return container


@pytest.fixture
def busy_world(container):
    """Every page with something on it: the event loop deployed, an incident, an external task."""
    make_org_tree(container, ORG_TREE)
    make_user(container, "root", "admin")
    make_user(container, "wang", "dispatcher", org_unit="CITY")
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", GOOD)], None)
    with container.uow() as uow:
        services.deploy(uow, process_files(), None)
    engine_troubles(container, make_user(container, "clerk1", "clerk"))
    return container


def _upload(page, body: bytes) -> None:
    page.set_input_files("#f-bpmn", {"name": "streetlight.bpmn", "mimeType": "application/xml", "buffer": body})
    with page.expect_navigation():
        page.get_by_role("button", name="上传并部署").click()


def test_an_admin_fixes_a_refused_diagram_and_a_case_of_the_new_version_shows_on_its_page(
        page, base_url, world, app, sign_in, shot, check_a11y):
    sign_in(page, base_url, "root")
    page.goto(f"{base_url}/admin/processes")
    _upload(page, REFUSED)
    assert page.locator(".refused-element", has_text="Task_dispatch").is_visible()
    assert page.get_by_text("wizard").first.is_visible()
    page.wait_for_selector("#refused-diagram[data-drawn=true]")
    assert page.locator('.djs-element.admin-refused[data-element-id="Task_dispatch"]').count() == 1
    check_a11y(page)
    shot(page, "refused")

    _upload(page, FIXED)
    assert "/admin/processes/streetlight_repair/2" in page.url
    page.wait_for_selector("#version-diagram[data-drawn=true]")
    assert page.get_by_text("已部署为第 2 版").is_visible() or page.get_by_text("Deployed as version 2").is_visible()
    check_a11y(page)
    shot(page, "deployed-v2")

    case = ApiUser(app.test_client(), "zhang").post("/cases", {"process_key": "streetlight_repair", "data": {
        "title": "和平路路灯不亮", "location": "和平路 1 号"}}).get_json()
    page.context.clear_cookies()  # the dispatcher now, whose inbox holds the case's first step
    sign_in(page, base_url, "wang")
    page.goto(f"{base_url}/cases/{case['id']}")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    assert page.locator('.djs-element.cf-current[data-element-id="Task_dispatch"]').count() == 1
    assert page.get_by_text("路灯报修（二版）").first.is_visible()
    shot(page, "case-on-v2")


@pytest.mark.parametrize("viewport", ["page", "phone"])
def test_every_admin_page_is_accessible_and_fits_a_phone(request, viewport, base_url, busy_world, sign_in, shot,
                                                        check_a11y):
    page = request.getfixturevalue(viewport)
    sign_in(page, base_url, "root")
    for name, path in PAGES.items():
        page.goto(f"{base_url}{path}")
        assert page.locator("h1").first.is_visible(), path
        if name == "version":
            page.wait_for_selector("#version-diagram[data-drawn=true]")
        check_a11y(page)
        if viewport == "phone":
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            assert width <= 375, f"{path} is {width} px wide at 375 px"
        shot(page, f"{name}-{viewport}")
    page.goto(f"{base_url}/admin/users?lang=en")
    assert page.get_by_role("heading", name="Users").is_visible()
