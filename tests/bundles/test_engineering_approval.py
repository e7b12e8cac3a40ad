"""工程建设项目审批 with 先承诺后审批: a signed commitment grants the approval at once; the
post-approval check runs within its limit and a failed one revokes the approval with a notice."""
from __future__ import annotations

import pytest

from tests.factories.bundles import BundleWorld

ANSWERS = {"project_kind": "building", "has_basement": True, "disturbs_soil": False, "large_scale": True, "commit": True}
FORM = {"project_name": "东城区某小学新建工程", "builder": "东城区教育局", "project_address": "东城区学府路1号",
        "land_area": 20000.0, "building_area": 120000.0, "building_height": 24.0, "design_institute": "示范设计院",
        "investment": 18000.0, "basement_area": 3000.0}
MATERIALS = ("APPLICATION_FORM", "LAND_DOCUMENT", "DRAWINGS", "EIA_REPORT", "COMMITMENT_LETTER")


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("engineering_approval",))


def _accepted(world, answers=ANSWERS):
    given = {code: [world.material("zhang", f"{code}.pdf")] for code in MATERIALS if answers["commit"] or code != "COMMITMENT_LETTER"}
    resp = world.apply("zhang", "engineering_approval", answers, FORM, given)
    assert resp.status_code == 201, resp.get_json()
    case = resp.get_json()
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    return case


def _kinds(world, case_id):
    return [d["kind"] for d in world.bundle_documents("zhang", case_id)]


def test_commitment_grants_at_once_and_many_departments_give_opinions_in_parallel(world):
    case = _accepted(world)
    assert _kinds(world, case["id"]) == ["approval"]  # 准予许可 right after intake
    view = world.case("clerk", case["id"])
    reviews = [t for t in view["tasks"] if t["element_id"] == "Task_review"]
    check = [t for t in view["tasks"] if t["element_id"] == "Task_post_check"]
    assert len(reviews) == 6 and len(check) == 1  # fire, civil defence, traffic included; water not
    assert check[0]["due_at"] is not None
    for dept in ["DEPT-TRAFFIC", "DEPT-PLANNING", "DEPT-FIRE", "DEPT-ECO", "DEPT-CIVIL-DEFENSE", "DEPT-CONSTRUCTION"]:
        world.do(f"approver:{dept}", case["id"], "Task_review", decision="approve")
    world.do("inspector", case["id"], "Task_post_check", check_result="pass")
    world.do("clerk", case["id"], "Task_issue", issue_method="online")
    assert world.case("zhang", case["id"])["status"] == "completed"
    assert _kinds(world, case["id"]) == ["approval", "result"]


def test_a_failed_post_approval_check_revokes_the_approval_with_a_notice(world):
    case = _accepted(world)
    world.do("inspector", case["id"], "Task_post_check", check_result="fail", check_findings="现场未落实人防工程承诺")
    for dept in ["DEPT-TRAFFIC", "DEPT-PLANNING", "DEPT-FIRE", "DEPT-ECO", "DEPT-CIVIL-DEFENSE", "DEPT-CONSTRUCTION"]:
        world.do(f"approver:{dept}", case["id"], "Task_review", decision="approve")
    view = world.case("zhang", case["id"])
    assert view["status"] == "completed" and view["tasks"] == []
    assert _kinds(world, case["id"]) == ["approval", "revocation"]
    staff_view = world.case("inspector", case["id"])
    assert any(h["action"] == "step.completed" and h["detail"].get("element") == "Event_revoked"
               for h in staff_view["history"])


def test_without_a_commitment_the_approval_waits_for_the_departments(world):
    case = _accepted(world, ANSWERS | {"commit": False})
    assert _kinds(world, case["id"]) == []
    assert not [t for t in world.case("clerk", case["id"])["tasks"] if t["element_id"] == "Task_post_check"]
