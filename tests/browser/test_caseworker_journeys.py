"""Caseworkers in a real browser: a 12345 call taken from intake to the callback by the operator,
the dispatcher, the handler and the inspector, each from their own inbox and task pages; and a
case the handler returns with a reason, which the dispatcher re-dispatches. The report itself is
registered through the API (the intake page is another issue's). Every page is screenshotted
and checked with axe-core at 1280 px (the inbox included); the task and case pages also at 375 px."""
from __future__ import annotations

import pytest

from tests.factories.event_loop import make_event_loop
from tests.factories.files import jpeg_with_gps

PARKING = dict(title="解放路车辆违停堵路", address="解放路3号", district="D-EAST", channel="hotline",
               reporter_name="王女士", reporter_phone="13900139000")
MANHOLE = dict(title="和平路口井盖缺失", address="和平路口", district="D-EAST", channel="hotline",
               reporter_name="李先生", reporter_phone="13700137000")


@pytest.fixture
def loop(client, container):
    return make_event_loop(client, container)


class Desk:
    """One browser tab that signs in as each caseworker in turn and works their steps."""

    def __init__(self, page, base_url, sign_in, shot, check_a11y, loop) -> None:
        self.page, self.base_url, self.loop = page, base_url, loop
        self._sign_in, self.shot, self.check = sign_in, shot, check_a11y
        self.n = 0

    def look(self, name: str) -> None:
        self.n += 1
        self.check(self.page)
        self.shot(self.page, f"{self.n:02d}-{name}")

    def as_user(self, username: str) -> None:
        self.page.context.clear_cookies()
        self._sign_in(self.page, self.base_url, username)
        self.look(f"{username}-inbox")

    def open_step(self, case_id: int, element_id: str) -> int:
        """From the inbox to the step's task page (by its link when the inbox has one)."""
        task_id = self.loop.open_task(case_id, element_id)["id"]
        link = self.page.locator(f'main a[href="/tasks/{task_id}"]')
        if link.count():
            link.first.click()
        else:
            self.page.goto(f"{self.base_url}/tasks/{task_id}")
        self.page.wait_for_load_state()
        return task_id

    def fill(self, data: dict) -> None:
        for name, value in data.items():
            field = self.page.locator(f"#f-{name}")
            if isinstance(value, bool):
                field.set_checked(value)
            elif isinstance(value, bytes):
                field.set_input_files([{"name": f"{name}.jpg", "mimeType": "image/jpeg", "buffer": value}])
            elif field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(str(value))
            else:
                field.fill(str(value))

    def work(self, username: str, case_id: int, element_id: str, comment: str = "", **data) -> str:
        """Claim the step, fill its form, complete it; returns the inbox's flash message."""
        self.as_user(username)
        self.open_step(case_id, element_id)
        self.look(f"{username}-{element_id}")
        self.page.locator('form[action$="/take"] button[type=submit]').click()
        self.page.wait_for_load_state()
        self.fill(data | ({"comment": comment} if comment else {}))
        self.look(f"{username}-{element_id}-filled")
        self.page.locator('form[action$="/complete"] button[type=submit]').click()
        self.page.wait_for_load_state()
        flash = self.page.locator("main .alert-success").first.inner_text()
        self.look(f"{username}-{element_id}-done")
        return flash


@pytest.fixture
def desk(page, base_url, sign_in, shot, check_a11y, loop) -> Desk:
    return Desk(page, base_url, sign_in, shot, check_a11y, loop)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 375


def _diagram_marks(page) -> dict:
    page.locator("#case-diagram[data-ready=true]").wait_for()
    return {m: page.locator(f"#case-diagram .{m}").count() for m in ("cf-completed", "cf-current", "cf-overdue")}


def test_a_hotline_call_is_taken_to_completion_by_four_desks(desk, loop, phone, base_url, sign_in, shot, check_a11y):
    cid = loop.report("li", **PARKING)["id"]
    assert "分类定级" in desk.work("li", cid, "Task_preprocess", decision="accept", comment="来电信息完整，受理")
    assert "人工分拨" in desk.work("li", cid, "Task_classify", category="traffic.parking.illegal_car",
                                  grade="C", urgency="normal")
    assert "签收" in desk.work("wang", cid, "Task_triage", dispatch_action="dispatch", department="D-EAST-CG",
                             dispatch_note="占道停车，城管负责劝离")
    desk.work("zhao", cid, "Task_signfor", signfor="accept")

    # the phone: the handler's 处置 form and the case page at 375 px
    sign_in(phone, base_url, "zhao")
    phone.goto(f"{base_url}/tasks/{loop.open_task(cid, 'Task_handle')['id']}")
    check_a11y(phone)
    _no_sideways_scroll(phone)
    shot(phone, "phone-zhao-Task_handle")
    phone.goto(f"{base_url}/cases/{cid}")
    assert _diagram_marks(phone)["cf-current"] >= 1
    check_a11y(phone)
    _no_sideways_scroll(phone)
    shot(phone, "phone-zhao-case")

    assert "核查" in desk.work("zhao", cid, "Task_handle", handle_action="done", result="已劝离并拖移车辆",
                             result_photos=jpeg_with_gps(39.915, 116.404))
    desk.work("qian", cid, "Task_verify", verified=True, verify_note="现场已恢复通行")
    desk.work("li", cid, "Task_callback", satisfaction="basic", callback_note="电话回访，基本满意")

    case = loop.case(cid)
    assert case["status"] == "completed" and case["tasks"] == []
    assert [h["comment"] for h in case["history"] if h.get("comment")] == ["来电信息完整，受理"]
    assert len(loop.said(cid, "处置")[0]["result_photos"]) == 1

    desk.page.goto(f"{base_url}/cases/{cid}")
    marks = _diagram_marks(desk.page)
    assert marks["cf-completed"] >= 7 and marks["cf-current"] == 0
    photo = desk.page.locator('a[href^="/files/"]')
    assert photo.count() == 1
    assert desk.page.request.get(base_url + photo.get_attribute("href")).headers["content-type"] == "image/jpeg"
    desk.look("li-case-completed")


def test_a_handler_returns_a_case_and_the_dispatcher_re_dispatches_it(desk, loop, base_url):
    cid = loop.report("li", **MANHOLE)["id"]
    desk.work("li", cid, "Task_preprocess", decision="accept")
    assert "签收" in desk.work("li", cid, "Task_classify", category="municipal.road.manhole_cover",
                             grade="C", urgency="normal")
    flash = desk.work("zhao", cid, "Task_signfor", signfor="return", return_reason="unclear_ownership",
                      return_note="雨水井盖属水务局管养")
    assert "退单审核" in flash
    desk.work("wang", cid, "Task_return_review", return_decision="redispatch", department="D-EAST-SW",
              review_note="同意退单，改派水务局")
    assert loop.open_steps(cid) == [("Task_signfor", "D-EAST-SW")]

    desk.as_user("wang")
    desk.page.goto(f"{base_url}/cases/{cid}")
    history = desk.page.locator("#case-history-h + ol").inner_text()
    assert "权属不清；雨水井盖属水务局管养" in history
    assert _diagram_marks(desk.page)["cf-current"] == 1
    desk.look("wang-case-redispatched")
