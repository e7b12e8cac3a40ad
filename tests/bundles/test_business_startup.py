"""企业开办一件事: 秒批 completes the case inside the application with a result document; a failed
rule check falls back to the window and the six departments."""
from __future__ import annotations

import pytest

from tests.factories.bundles import BundleWorld

ANSWERS = {"entity_type": "llc", "name_reserved": True, "premises": "owned", "need_seal": True,
           "need_invoice": True, "hire_staff": True}
FORM = {"company_name": "示范科技有限公司", "legal_rep_name": "张强", "legal_rep_id": "320800199001011234",
        "registered_capital": 100.0, "business_scope": "软件开发；信息技术咨询服务", "scope_standard": True,
        "address": "东城区创业路8号", "seal_count": 2, "invoice_type": "general", "employees": 5, "bank_name": "示范银行"}


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("business_startup_one_thing",))


def _apply(world, answers=ANSWERS, form=FORM):
    materials = {"REP_ID": [world.material("zhang")], "ARTICLES": [world.material("zhang", "articles.pdf")]}
    materials["PROPERTY_DEED" if answers["premises"] == "owned" else "LEASE_CONTRACT"] = [world.material("zhang", "deed.pdf")]
    resp = world.apply("zhang", "business_startup_one_thing", answers, form, materials)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_instant_approval_completes_the_case_inside_the_application_with_a_result_document(world):
    case = _apply(world)
    assert case["status"] == "completed" and case["tasks"] == []
    view = world.case("zhang", case["id"])
    assert [i["status"] for i in view["items"]] == ["approved"] * 6
    assert view["closed_at"] is not None
    docs = world.bundle_documents("zhang", case["id"])
    assert [d["kind"] for d in docs] == ["result"]
    pdf = world["zhang"].get(docs[0]["url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_failed_rule_check_falls_back_to_manual_review(world):
    case = _apply(world, ANSWERS | {"premises": "leased"})
    assert case["status"] == "running"
    assert [t["element_id"] for t in case["tasks"]] == ["Task_intake"]
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    view = world.case("clerk", case["id"])
    assert len([t for t in view["tasks"] if t["element_id"] == "Task_review"]) == 6
    for dept in reversed(world.departments):
        world.do(f"approver:{dept}", case["id"], "Task_review", decision="approve")
    world.do("clerk", case["id"], "Task_issue", issue_method="window")
    assert world.case("zhang", case["id"])["status"] == "completed"


def test_the_intake_supplement_goes_back_to_the_applicant_once(world):
    case = _apply(world, ANSWERS | {"premises": "leased"})
    world.do("clerk", case["id"], "Task_intake", intake_decision="supplement",
             intake_opinion="租赁合同缺出租方产权证明；章程缺股东签字")
    task = [t for t in world.open_tasks("zhang", case["id"])]
    assert [t["element_id"] for t in task] == ["Task_supplement"]
    world.do("zhang", case["id"], "Task_supplement", supplement_files=[world.material("zhang", "more.pdf")])
    again = [t for t in world.open_tasks("clerk", case["id"]) if t["element_id"] == "Task_intake_again"][0]
    form = world["clerk"].get(f"/tasks/{again['id']}").get_json()["form"]["fields"][0]
    assert [c["value"] for c in form["choices"]] == ["accept", "reject"]  # no second supplement
    world.do("clerk", case["id"], "Task_intake_again", intake_decision="reject", intake_opinion="补正后仍不符合要求")
    done = world.case("zhang", case["id"])
    assert done["status"] == "completed"
    assert {i["status"] for i in done["items"]} == {"not_reviewed"}
    assert [d["kind"] for d in world.bundle_documents("zhang", case["id"])] == ["rejection"]
