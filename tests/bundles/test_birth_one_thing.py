"""出生一件事 end to end through the API: guide, one form, intake, five departments in parallel in
any order, a supplement that goes back once, online payment, unified result."""
from __future__ import annotations

import pytest

from tests.factories.bundles import BundleWorld

TYPICAL = {"born_local": True, "hukou": "local", "married": True, "insurance": True, "social_card": True}
FORM = {"child_name": "张小宝", "child_gender": "male", "birth_date": "2026-11-20", "birth_hospital": "市妇幼保健院",
        "mother_name": "李梅", "mother_id_number": "320800199202022345", "father_name": "张强",
        "father_id_number": "320800199001011234", "hukou_address": "东城区和平路1号", "guardian_name": "张强",
        "guardian_phone": "13800138000", "mailing_address": "东城区和平路1号", "vaccination_clinic": "东城社区卫生服务中心"}


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("birth_one_thing",))


def _apply(world) -> dict:
    resp = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _review(world, case_id, order, decision="approve", element="Task_review", **extra):
    for dept in order:
        world.do(f"approver:{dept}", case_id, element, decision=decision, **extra)


def test_five_departments_approve_in_parallel_in_any_order_and_the_citizen_has_two_steps(world):
    case = _apply(world)
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    view = world.case("zhang", case["id"])
    assert [i["status"] for i in view["items"]] == ["in_review"] * 5
    open_review = [t for t in view["tasks"] if t["element_id"] == "Task_review"]
    assert len(open_review) == 5  # all five exist at the same time
    order = ["DEPT-CDC", "DEPT-HEALTH", "DEPT-HRSS", "DEPT-POLICE", "DEPT-MEDICAL-INSURANCE"]
    _review(world, case["id"], order[:2])
    statuses = {i["code"]: i["status"] for i in world.case("zhang", case["id"])["items"]}
    assert statuses["vaccination"] == statuses["birth_certificate"] == "approved"
    assert statuses["household_registration"] == "in_review"
    _review(world, case["id"], order[2:])
    citizen_steps = [t for t in world.open_tasks("zhang", case["id"])]
    assert [t["element_id"] for t in citizen_steps] == ["Task_pay"]
    world.do("zhang", case["id"], "Task_pay", payment_reference="PAY-20261123-001", paid_amount=380.0)
    world.do("clerk", case["id"], "Task_issue", issue_method="online")
    done = world.case("zhang", case["id"])
    assert done["status"] == "completed"
    assert {i["status"] for i in done["items"]} == {"approved"}
    docs = world.bundle_documents("zhang", case["id"])
    assert [d["kind"] for d in docs] == ["result"]
    staff_view = world.case("clerk", case["id"])
    started = [h for h in staff_view["history"] if h["actor"] == "zhang" and h["action"] in ("case.started", "task.completed")]
    assert len(started) == 2  # 2 citizen steps: apply, pay


def test_a_department_supplement_goes_back_once_and_the_case_continues(world):
    case = _apply(world)
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    world.do("approver:DEPT-POLICE", case["id"], "Task_review", decision="supplement", opinion="请补充落户地址房产证明")
    _review(world, case["id"], ["DEPT-CDC", "DEPT-HEALTH", "DEPT-HRSS", "DEPT-MEDICAL-INSURANCE"])
    statuses = {i["code"]: i["status"] for i in world.case("zhang", case["id"])["items"]}
    assert statuses["household_registration"] == "supplement_requested"
    world.do("zhang", case["id"], "Task_dept_supplement", supplement_files=[world.material("zhang", "deed.pdf")])
    again = [t for t in world.case("clerk", case["id"])["tasks"] if t["element_id"] == "Task_review_again"]
    assert len(again) == 1  # only the department that asked
    task = world["approver:DEPT-POLICE"].get(f"/tasks/{again[0]['id']}").get_json()
    assert [c["value"] for c in task["form"]["fields"][0]["choices"]] == ["approve", "reject"]  # once only
    world.do("approver:DEPT-POLICE", case["id"], "Task_review_again", decision="approve")
    world.do("zhang", case["id"], "Task_pay", payment_reference="PAY-20261123-002", paid_amount=380.0)
    world.do("clerk", case["id"], "Task_issue", issue_method="mail")
    done = world.case("zhang", case["id"])
    assert done["status"] == "completed"
    assert {i["code"]: i["status"] for i in done["items"]}["household_registration"] == "approved"
