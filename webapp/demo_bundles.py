"""Demo applications to the four one-thing bundles, in the states a service window meets: at
intake, in parallel department review (some departments done, one 委派 to a colleague), 秒批
completed, 先承诺后审批 issued with the post-check open, and 免申即享 cases imported for citizens."""
from __future__ import annotations

import io
from collections.abc import Iterator

from pypdf import PdfWriter
from sqlalchemy import select

from engine import services
from engine.models import Case

from .demo_cases import Desks

BIRTH_ANSWERS = {"born_local": True, "hukou": "local", "married": True, "insurance": True, "social_card": True}
BIRTH_FORM = {"child_name": "张小宝", "child_gender": "male", "birth_date": "2026-11-20",
              "birth_hospital": "市妇幼保健院", "mother_name": "李梅", "mother_id_number": "320800199202022345",
              "father_name": "张强", "father_id_number": "320800199001011234", "hukou_address": "东城区和平路1号",
              "guardian_name": "张强", "guardian_phone": "13800138000", "mailing_address": "东城区和平路1号",
              "vaccination_clinic": "东城社区卫生服务中心"}
STARTUP_ANSWERS = {"entity_type": "llc", "name_reserved": True, "premises": "owned", "need_seal": True,
                   "need_invoice": True, "hire_staff": True}
STARTUP_FORM = {"company_name": "示范科技有限公司", "legal_rep_name": "张强", "legal_rep_id": "320800199001011234",
                "registered_capital": 100.0, "business_scope": "软件开发；信息技术咨询服务", "scope_standard": True,
                "address": "东城区创业路8号", "seal_count": 2, "invoice_type": "general", "employees": 5,
                "bank_name": "示范银行"}
PROJECT_ANSWERS = {"project_kind": "building", "has_basement": True, "disturbs_soil": True, "large_scale": True,
                   "commit": True}
PROJECT_FORM = {"project_name": "东城区某小学新建工程", "builder": "东城区教育局", "project_address": "东城区学府路1号",
                "land_area": 20000.0, "building_area": 120000.0, "building_height": 24.0,
                "design_institute": "示范设计院", "investment": 18000.0, "basement_area": 3000.0}
PROJECT_MATERIALS = ("APPLICATION_FORM", "LAND_DOCUMENT", "DRAWINGS", "EIA_REPORT", "SOIL_PLAN", "COMMITMENT_LETTER")
ELIGIBLE = (  # 免申即享: the city's table of enterprises already known to qualify
    "beneficiary_id,username,name,enterprise_size,hired_graduates,enterprise_name,credit_code,"
    "insured_employees,unemployment_insurance_paid,graduates\n"
    "91320800MA0DEMO001,citizen,张市民,sme,true,示范餐饮有限公司,91320800MA0DEMO001,12,36000,2\n"
    "91320800MA0DEMO002,qiye-demo,王企业,sme,false,示范物流有限公司,91320800MA0DEMO002,40,80000,0\n")
ACCEPT = {"intake_decision": "accept"}


def _pdf() -> bytes:
    """A blank one-page PDF standing in for a scanned material."""
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _materials(desks: Desks, who: str, codes: tuple[str, ...]) -> dict[str, list[str]]:
    """Each material uploaded by the applicant, as the application form does before it is sent."""
    out = {}
    for code in codes:
        with desks.office.uow() as uow:
            out[code] = [services.upload_attachment(uow, desks.uid(who), f"{code.lower()}.pdf", _pdf())["id"]]
    return out


def _apply(desks: Desks, key: str, process_key: str, answers: dict, form: dict, codes: tuple[str, ...]) -> int:
    data = {"answers": answers, "form": form, "attachments": _materials(desks, "citizen", codes)}
    return desks.start(key, "citizen", process_key, data)


def _review(desks: Desks, case_id: int, departments: list[str]) -> None:
    for code in departments:
        desks.do(f"approver-{code.lower()}", case_id, "Task_review", {"decision": "approve"})


def seed_bundle_cases(desks: Desks) -> Iterator[int]:
    """Start and walk each bundle case; yields the case ids."""
    desks.at({"minutes": 50})
    yield _apply(desks, "birth-intake", "birth_one_thing", BIRTH_ANSWERS, BIRTH_FORM, ("PARENT_ID",))

    partly = _apply(desks, "birth-review", "birth_one_thing", BIRTH_ANSWERS,
                    BIRTH_FORM | {"child_name": "李小花", "child_gender": "female"}, ("PARENT_ID",))
    desks.do("clerk", partly, "Task_intake", ACCEPT)
    _review(desks, partly, ["HEALTH", "CDC"])
    yield partly

    delegated = _apply(desks, "birth-delegated", "birth_one_thing", BIRTH_ANSWERS,
                       BIRTH_FORM | {"child_name": "王小明"}, ("PARENT_ID",))
    desks.do("clerk", delegated, "Task_intake", ACCEPT)
    desks.delegate("approver-police", delegated, "Task_review", "approver", "请协助核对落户地址")
    yield delegated

    yield _apply(desks, "startup-instant", "business_startup_one_thing", STARTUP_ANSWERS, STARTUP_FORM,
                 ("REP_ID", "ARTICLES", "PROPERTY_DEED"))  # 秒批: completed inside the application

    window = _apply(desks, "startup-review", "business_startup_one_thing", STARTUP_ANSWERS | {"premises": "leased"},
                    STARTUP_FORM | {"company_name": "示范贸易有限公司"}, ("REP_ID", "ARTICLES", "LEASE_CONTRACT"))
    desks.do("clerk", window, "Task_intake", ACCEPT)
    yield window

    project = _apply(desks, "engineering-committed", "engineering_approval", PROJECT_ANSWERS, PROJECT_FORM,
                     PROJECT_MATERIALS)
    desks.do("clerk", project, "Task_intake", ACCEPT)  # 先承诺后审批: the approval is issued here
    yield project

    yield from _eligible(desks)


def _eligible(desks: Desks) -> Iterator[int]:
    """免申即享: the table imported by an admin; one beneficiary has confirmed their bank account."""
    with desks.office.uow() as uow:
        services.import_beneficiaries(uow, "policy_cashing", ELIGIBLE.encode(), desks.uid("admin"))
    keys = [f"policy_cashing:{row.split(',', 1)[0]}" for row in ELIGIBLE.splitlines()[1:]]
    with desks.office.uow() as uow:
        ids = list(uow.session.scalars(select(Case.id).where(Case.business_key.in_(keys)).order_by(Case.id)))
    desks.do("qiye-demo", ids[-1], "Task_confirm_bank", {"bank_name": "示范银行东城支行",
                                                         "bank_account": "6222020200112233"})
    yield from ids
