"""A bundle case worked from the pages: a number typed into the page is the number the step's
form takes (出生一件事's payment step asks for an amount), and a department's decision shows on
the case page."""
from __future__ import annotations

import pytest

from tests.bundles.test_birth_one_thing import FORM, TYPICAL
from tests.factories.bundles import BundleWorld
from tests.web.test_task_pages import _sign_in


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("birth_one_thing",))


def test_the_applicant_pays_from_the_task_page_and_sees_every_department(world, client):
    case = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]}).get_json()
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    for dept in ("DEPT-CDC", "DEPT-HEALTH", "DEPT-HRSS", "DEPT-POLICE", "DEPT-MEDICAL-INSURANCE"):
        world.do(f"approver:{dept}", case["id"], "Task_review", decision="approve")
    pay = world.open_tasks("zhang", case["id"])[0]
    token = _sign_in(client, "zhang")
    resp = client.post(f"/tasks/{pay['id']}/complete", data={
        "csrf_token": token, "payment_reference": "PAY-20261123-009", "paid_amount": "380"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    done = world.case("zhang", case["id"])
    assert [t["element_id"] for t in done["tasks"]] == ["Task_issue"]
    page = client.get(f"/my/cases/{case['id']}").get_data(as_text=True)
    assert page.count("已通过") == 5 and "市卫生健康委（示例）" in page
