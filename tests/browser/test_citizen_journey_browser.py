"""Issue #14's first acceptance journey, in Chromium at phone width: a citizen registers with the
SMS code, reports a pothole with two photos and a map point, gets a receipt, follows the case
in My cases while staff work it (through the API, as their inboxes would), evaluates it
unsatisfied and watches it go back for review. A second citizen opens nothing of it by URL."""
from __future__ import annotations

import dataclasses
import logging
import re

from sqlalchemy import select

from engine.models import Case
from engine.models.documents import Document
from tests.browser.test_report_browser import HEPING, Steps, tile_server  # noqa: F401  (the fixture)
from tests.factories.event_loop import make_event_loop
from tests.factories.files import jpeg_with_gps, photo

PHONE = "13612345678"
CLASS_C = dict(grade="C", urgency="normal")


def _register(phone, base_url: str, caplog) -> None:
    phone.goto(f"{base_url}/register")
    phone.fill("#r-phone", PHONE)
    with caplog.at_level(logging.WARNING, logger="notifications.verification"), phone.expect_navigation():
        phone.click("button[value=send]")
    code = re.search(rf"verification code for {PHONE} is (\d{{6}})", caplog.text).group(1)
    phone.fill("#r-code", code)
    phone.fill("#r-display_name", "周阿姨")
    phone.fill("#r-password", "Pothole2026")
    with phone.expect_navigation():
        phone.click("button[value=register]")
    assert phone.url.endswith("/my")


def _report(phone, steps: Steps) -> tuple[str, str]:
    phone.fill("#category-search", "坑洼")
    phone.locator("label[for=cat-municipal-road-pothole]").click()
    steps.next()
    steps.describe()
    steps.photos([("pothole.jpg", jpeg_with_gps(*HEPING)), ("close-up.jpg", photo(gps=None, color=(80, 80, 80)))])
    steps.place()
    phone.wait_for_selector(".leaflet-tile-loaded")
    box = phone.locator("#report-map").bounding_box()
    phone.locator("#report-map").click(position={"x": box["width"] / 2 + 20, "y": box["height"] / 2})
    assert phone.inner_text("#point-text").startswith("已选位置")
    return steps.send()


def _progress(phone, base_url: str, case_id: int, steps: Steps, name: str) -> str:
    phone.goto(f"{base_url}/my/cases/{case_id}")
    steps.look(name)
    return phone.inner_text("main")


def test_register_report_follow_and_send_back_unsatisfied(client, container, tile_server, base_url, phone,  # noqa: F811
                                                          shot, check_a11y, caplog, sign_in):
    container.settings = dataclasses.replace(container.settings, map_tiles=tile_server)
    loop = make_event_loop(client, container)
    steps = Steps(phone, shot, check_a11y)
    _register(phone, base_url, caplog)
    phone.goto(f"{base_url}/report")
    number, code = _report(phone, steps)
    with container.session_factory() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        case_id, photos = case.id, case.data["photos"]
    assert len(photos) == 2 and case.lat is not None

    text = _progress(phone, base_url, case_id, steps, "my-case-reported")
    assert "预处理" in text and code in text
    loop.advance("li", case_id, "Task_preprocess", decision="accept")
    loop.advance("li", case_id, "Task_classify", category="municipal.road.pothole", **CLASS_C)
    loop.advance("zhao", case_id, "Task_signfor", signfor="accept")
    text = _progress(phone, base_url, case_id, steps, "my-case-handling")
    assert "处置" in text and "东城区城管局" in text
    assert "li" not in re.findall(r"[a-z]+", text) and "zhao" not in text  # no staff names
    loop.advance("zhao", case_id, "Task_handle", handle_action="done", result="已修补", result_photos=[])
    loop.advance("qian", case_id, "Task_verify", verified=True, verify_note="现场已恢复")

    phone.goto(f"{base_url}/my/cases/{case_id}")
    with phone.expect_navigation():
        phone.locator("a[href^='/my/tasks/']").first.click()
    steps.look("evaluate")
    phone.locator("label:has-text('不满意')").click()
    phone.fill("#f-evaluation_comment", "只补了一半，还是颠")
    with phone.expect_navigation():
        phone.click("#step-send")
    text = _progress(phone, base_url, case_id, steps, "my-case-sent-back")
    assert "不满意甄别" in text
    assert [s for s, _ in loop.open_steps(case_id)] == ["Task_unsatisfied_review"]

    # a second citizen: nothing of it by URL (the case, its photos, its documents, its receipt)
    phone.context.clear_cookies()
    sign_in(phone, base_url, "liu")
    urls = [f"/my/cases/{case_id}", f"/cases/{case_id}", f"/files/{photos[0]}", f"/files/{photos[1]}",
            f"/report/{number}/receipt", f"/my/tasks/{loop.open_task(case_id, 'Task_unsatisfied_review')['id']}"]
    with container.session_factory() as s:
        urls += [f"/cases/{case_id}/documents/{d}.pdf" for d in s.scalars(select(Document.id).where(Document.case_id == case_id))]
    assert len(urls) > 6
    for url in urls:
        assert phone.request.get(f"{base_url}{url}").status in (403, 404), url
