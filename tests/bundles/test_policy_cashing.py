"""政策兑现: 免申即享 from an imported eligibility table (1,000 beneficiaries, idempotently), and
即申即享 with the reviewer seeing the computed subsidy (奖补金额辅助计算)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import Case
from tests.factories.bundles import BundleWorld
from tests.factories.files import multipart

HEADER = "beneficiary_id,username,name,enterprise_size,hired_graduates,enterprise_name,credit_code,insured_employees,unemployment_insurance_paid,graduates\n"


def _table(n: int) -> bytes:
    rows = [f"91320800MA{i:08d},ent{i:04d},企业{i:04d}联系人,sme,{'true' if i % 2 else 'false'},示范企业{i:04d}有限公司,"
            f"91320800MA{i:08d},{10 + i % 50},{20000 + i},{i % 3}\n" for i in range(n)]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("policy_cashing",))


def _import(world, table: bytes, who="root"):
    body, content_type = multipart("eligible.csv", table)
    return world[who].client.post("/api/v1/bundles/policy_cashing/eligibility", data=body,
                                  content_type=content_type, headers=world[who].headers)


def test_importing_1000_beneficiaries_creates_1000_cases_once(world, container):
    resp = _import(world, _table(1000))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"created": 1000, "existing": 0, "errors": []}
    again = _import(world, _table(1000)).get_json()
    assert again == {"created": 0, "existing": 1000, "errors": []}
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Case)) == 1000


def test_a_beneficiary_only_confirms_the_bank_details_and_is_paid(world):
    row = "91320800MA00000001,zhang,张强,sme,true,示范科技有限公司,91320800MA00000001,30,50000,4\n"
    assert _import(world, (HEADER + row).encode()).get_json()["created"] == 1
    case = world["zhang"].get("/cases").get_json()["items"][0]
    view = world.case("zhang", case["id"])
    assert view["data"]["subsidy_amount"] == 50000 * 0.6 + 4 * 1000
    assert [t["element_id"] for t in view["tasks"]] == ["Task_confirm_bank"]  # no application at all
    world.do("zhang", case["id"], "Task_confirm_bank", bank_name="示范银行东城支行", bank_account="6222020200112233")
    assert [i["status"] for i in world.case("zhang", case["id"])["items"]] == ["approved"]
    world.do("approver:DEPT-FINANCE", case["id"], "Task_payout", payout_reference="FIN-2026-000123")
    done = world.case("zhang", case["id"])
    assert done["status"] == "completed"
    assert [d["kind"] for d in world.bundle_documents("zhang", case["id"])] == ["result"]


def test_instant_application_shows_the_reviewer_the_computed_subsidy(world):
    answers = {"enterprise_size": "large", "hired_graduates": False}
    form = {"enterprise_name": "示范制造有限公司", "credit_code": "91320800MA00000099", "contact_name": "李梅",
            "insured_employees": 300, "unemployment_insurance_paid": 100000.0}
    resp = world.apply("li", "policy_cashing", answers, form)
    assert resp.status_code == 201, resp.get_json()
    case = resp.get_json()
    review = [t for t in world.open_tasks("approver:DEPT-HRSS", case["id"]) if t["element_id"] == "Task_review"][0]
    seen = world["approver:DEPT-HRSS"].get(f"/tasks/{review['id']}").get_json()
    assert seen["case"]["data"]["subsidy_amount"] == 30000.0
    world.do("approver:DEPT-HRSS", case["id"], "Task_review", decision="approve", approved_amount=28000.0)
    world.do("approver:DEPT-FINANCE", case["id"], "Task_payout", payout_reference="FIN-2026-000124")
    assert world.case("li", case["id"])["status"] == "completed"


def test_the_import_is_for_admins_and_reports_bad_rows_by_line(world):
    assert _import(world, _table(3), who="clerk").status_code == 403
    bad = HEADER + "91320800MA00000001,ent1,企业一,huge,true,甲公司,91320800MA00000001,1,100,0\n"
    out = _import(world, bad.encode()).get_json()
    assert out["created"] == 0 and out["errors"][0]["line"] == 2
    assert "answers.enterprise_size" in out["errors"][0]["error"]
