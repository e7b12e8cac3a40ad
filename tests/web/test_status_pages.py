"""The public status page (/status/<number>?code=) and the citizen's own case page (/my/cases/<id>)."""
from __future__ import annotations

import pytest

from tests.factories.event_loop import EventLoop, make_event_loop
from tests.web.test_task_pages import _sign_in

REPORT = dict(title="和平路井盖缺失", description="我是住3栋的李阿姨", address="和平路12号", district="D-EAST",
              reporter_name="李阿姨", reporter_phone="13800138000", channel="app")


@pytest.fixture
def case(client, container) -> dict:
    loop: EventLoop = make_event_loop(client, container)
    case = loop.report("zhang", **REPORT)
    loop.advance("li", case["id"], "Task_preprocess", decision="accept")
    return case


def test_the_status_page_shows_the_step_and_nothing_personal(client, case):
    page = client.get(f"/status/{case['number']}?code={case['query_code']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert case["number"] in text and "分类定级" in text
    assert "李阿姨" not in text and "13800138000" not in text


def test_a_wrong_code_is_404_with_the_form_again(client, case):
    page = client.get(f"/status/{case['number']}?code=WRONG1")
    assert page.status_code == 404 and 'name="code"' in page.get_data(as_text=True)
    assert client.get("/status").status_code == 200
    assert client.get(f"/status?number={case['number']}&code=X").headers["Location"].startswith(f"/status/{case['number']}")


def test_my_case_page_is_the_reporters_alone(client, case):
    _sign_in(client, "zhang")
    text = client.get(f"/my/cases/{case['id']}").get_data(as_text=True)
    assert "我是住3栋的李阿姨" in text and "受理回执" in text and case["query_code"] in text
    with client.session_transaction() as s:
        s.clear()
    _sign_in(client, "liu")
    assert client.get(f"/my/cases/{case['id']}").status_code == 404
