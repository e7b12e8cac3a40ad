"""A district supervisor finds an overdue task on the board and reassigns it with a reason; the
supervision pages pass axe-core and fit a phone without sideways scrolling."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import AuditEvent
from tests.web.test_supervise_pages import supervised_world

PAGES = ["/supervise/", "/supervise/tasks", "/supervise/escalations", "/supervise/incidents"]


def test_a_supervisor_finds_an_overdue_task_and_reassigns_it(page, base_url, container, clock, sign_in, shot,
                                                            check_a11y):
    task = supervised_world(container, clock)["D-EAST-CG"]
    sign_in(page, base_url, "sup_east")
    page.goto(f"{base_url}/supervise/")
    cell = page.locator("table a", has_text="超期")
    assert cell.count() == 1
    shot(page, "1-board")
    check_a11y(page)

    cell.click()
    page.wait_for_url("**/supervise/tasks?*")
    page.get_by_role("link", name=task["case_number"]).click()
    page.wait_for_url(f"**/supervise/tasks/{task['id']}")
    shot(page, "2-task")
    check_a11y(page)

    page.fill("#r-to_user", "xi")  # a handler of the other district: refused in place
    page.fill("#f-reassign_reason", "李师傅休假")
    page.locator("form[action$='/reassign'] button[type=submit]").click()
    page.wait_for_selector("#r-to_user-error")
    shot(page, "3-refused")
    check_a11y(page)

    page.fill("#r-to_user", "zhao")
    page.locator("form[action$='/reassign'] button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert "zhao" in page.locator("main dl").inner_text()
    shot(page, "4-reassigned")
    with container.uow() as uow:
        reasons = list(uow.session.scalars(select(AuditEvent.reason).where(AuditEvent.action == "task.reassigned")))
    assert reasons == ["李师傅休假"]


def test_the_supervision_pages_fit_a_phone(phone, base_url, container, clock, sign_in, shot, check_a11y):
    task = supervised_world(container, clock)["D-EAST-CG"]
    sign_in(phone, base_url, "sup_east")
    for n, path in enumerate([*PAGES, f"/supervise/tasks/{task['id']}"], start=1):
        phone.goto(f"{base_url}{path}")
        shot(phone, f"{n}-{path.strip('/').replace('/', '-')}")
        check_a11y(phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path


def test_the_pages_pass_axe_at_desktop_width_in_english(page, base_url, container, clock, sign_in, shot,
                                                         check_a11y):
    supervised_world(container, clock)
    sign_in(page, base_url, "sup_city")
    for n, path in enumerate(PAGES, start=1):
        page.goto(f"{base_url}{path}?lang=en")
        shot(page, f"{n}-{path.strip('/').replace('/', '-')}-en")
        check_a11y(page)
