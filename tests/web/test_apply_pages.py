"""一件事一次办 from the citizen's pages through the Flask test client: the catalogue and its
search, the questionnaire one question per screen (show_if skips a question), the one form
refusing in place with nothing created, materials through POST /my/uploads, the citizen's own
steps (others get 404) and CSRF on every form."""
from __future__ import annotations

import re

import pytest

from tests.api.test_event_closed_loop import CLASS_C, EAST_RUBBISH, photos, run_from_signfor
from tests.bundles.test_birth_one_thing import FORM, TYPICAL
from tests.factories.bundles import BundleWorld
from tests.factories.event_loop import make_event_loop
from tests.factories.files import multipart, pdf
from tests.web.test_task_pages import _sign_in
from webapp.api.bundles import encode_answers

BIRTH = "/services/birth_one_thing"


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("birth_one_thing", "business_startup_one_thing"))


def _cases(world, who: str) -> list[dict]:
    return world[who].get("/cases").get_json()["items"]


def _upload(client, token: str, filename: str, data: bytes, **fields):
    body, content_type = multipart(filename, data, **fields)
    return client.post("/my/uploads", data=body, content_type=content_type, headers={"X-CSRFToken": token})


def _material(client, token: str, code: str = "PARENT_ID") -> str:
    resp = _upload(client, token, "id-card.pdf", pdf(), process_key="birth_one_thing",
                   field=f"material.{code}", material=code)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return re.search(rf'name="material\.{code}" value="([0-9a-f]+)"', resp.get_data(as_text=True)).group(1)


def _apply(client, token: str, go: str, form: dict, materials: dict[str, str]):
    data = {"csrf_token": token, "go": go, **form, **{f"material.{c}": i for c, i in materials.items()}}
    return client.post(f"{BIRTH}/apply?answers={encode_answers(TYPICAL)}", data=data)


def test_the_catalogue_groups_services_and_searches_item_names(world, client):
    page = client.get("/services").get_data(as_text=True)  # no sign-in needed to browse
    assert page.index("个人") < page.index("出生一件事") < page.index("法人") < page.index("企业开办一件事")
    assert "市公安局户政处（示例）" in page and "1个工作日" in page
    found = client.get("/services?q=户口").get_data(as_text=True)  # an item of 出生一件事
    assert "出生一件事" in found and "企业开办一件事" not in found
    found = client.get("/services?q=Business").get_data(as_text=True)
    assert "企业开办一件事" in found and "出生一件事" not in found
    assert "No service matches" in client.get("/services?q=zzz&lang=en").get_data(as_text=True)


def test_the_questionnaire_skips_a_question_its_show_if_hides_and_goes_back(world, client):
    token = _sign_in(client, "stranger")
    first = client.get(f"{BIRTH}/questionnaire").get_data(as_text=True)
    assert "新生儿是否在本市助产机构出生？" in first and "第 1 题，共 3 题" in first

    def answer(step: int, **answers):
        data = {"csrf_token": token, "step": str(step), "go": "next"} | {f"a_{k}": v for k, v in answers.items()}
        return client.post(f"{BIRTH}/questionnaire", data=data)

    second = answer(0, born_local="true").get_data(as_text=True)
    assert "新生儿是否在本市落户？" in second
    third = answer(1, born_local="true", hukou="elsewhere").get_data(as_text=True)
    assert "是否为新生儿办理城乡居民医保参保？" in third and "结婚登记" not in third  # married is skipped
    assert "结婚登记" in answer(1, born_local="true", hukou="local").get_data(as_text=True)
    back = client.post(f"{BIRTH}/questionnaire", data={"csrf_token": token, "step": "2", "go": "back",
                                                        "a_born_local": "true", "a_hukou": "elsewhere"})
    assert "新生儿是否在本市落户？" in back.get_data(as_text=True)
    assert answer(1, born_local="true").status_code == 400  # Next without choosing
    assert answer(1, born_local="true", hukou="mars").status_code == 400  # not a choice it offers
    done = answer(3, born_local="true", hukou="elsewhere", insurance="false")
    assert done.status_code == 303 and "/services/birth_one_thing/guide?answers=" in done.headers["Location"]
    guide = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "出生医学证明" in guide and "户口登记" not in guide and "外地签发的出生证" not in guide
    assert "/api/v1/bundles/birth_one_thing/notice.pdf?answers=" in guide
    assert re.search(r'href="/services/birth_one_thing/guide\?answers=[\w-]+&amp;lang=en"', guide)  # kept in English


def test_applying_needs_signing_in_and_keeps_the_answers(world, client):
    target = f"{BIRTH}/apply?answers={encode_answers(TYPICAL)}"
    resp = client.get(target)
    assert resp.status_code == 302 and "next=" in resp.headers["Location"]
    _sign_in(client, "zhang")
    assert client.get(target).status_code == 200


def test_a_missing_required_field_is_named_and_nothing_is_created(world, client):
    token = _sign_in(client, "zhang")
    material = _material(client, token)
    resp = _apply(client, token, "submit", {k: v for k, v in FORM.items() if k != "child_name"}, {"PARENT_ID": material})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="f-child_name"' in page and 'aria-describedby="f-child_name-error"' in page
    assert material in page  # the material is kept for the next try
    assert _cases(world, "zhang") == []
    review = _apply(client, token, "review", {k: v for k, v in FORM.items() if k != "child_name"}, {"PARENT_ID": material})
    assert review.status_code == 400 and _cases(world, "zhang") == []


def test_a_missing_material_is_named_under_it(world, client):
    token = _sign_in(client, "zhang")
    resp = _apply(client, token, "submit", FORM, {})
    assert resp.status_code == 400 and 'id="m-PARENT_ID-error"' in resp.get_data(as_text=True)
    assert _cases(world, "zhang") == []


def test_a_material_of_the_wrong_type_is_refused(world, client):
    token = _sign_in(client, "zhang")
    bad = _upload(client, token, "id-card.pdf", b"just some text, not a PDF", process_key="birth_one_thing",
                  field="material.PARENT_ID", material="PARENT_ID")
    assert bad.status_code == 400 and "upload-refused" in bad.get_data(as_text=True)
    body, content_type = multipart("id-card.pdf", b"MZ not a pdf at all", file_field="material.PARENT_ID",
                                   csrf_token=token, go="review", **FORM)  # the form sent without JavaScript
    resp = client.post(f"{BIRTH}/apply?answers={encode_answers(TYPICAL)}", data=body, content_type=content_type)
    assert resp.status_code == 400 and 'id="m-PARENT_ID-error"' in resp.get_data(as_text=True)
    assert _cases(world, "zhang") == []


def test_review_submit_receipt_and_the_payment_step(world, client):
    token = _sign_in(client, "zhang")
    material = _material(client, token)
    review = _apply(client, token, "review", FORM, {"PARENT_ID": material})
    assert review.status_code == 200 and "张小宝" in review.get_data(as_text=True)
    done = _apply(client, token, "submit", FORM, {"PARENT_ID": material})
    assert done.status_code == 303
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    [case] = _cases(world, "zhang")
    assert case["number"] in receipt and f"/status/{case['number']}?code=" in receipt
    assert f"/my/cases/{case['id']}" in receipt
    [document] = world["zhang"].get(f"/cases/{case['id']}/documents").get_json()  # 受理回执
    pdf_url = f"/cases/{case['id']}/documents/{document['id']}.pdf"
    assert client.get(pdf_url).data.startswith(b"%PDF")
    _sign_in(client, "li")
    assert client.get(done.headers["Location"]).status_code == 404  # another citizen's receipt
    assert client.get(pdf_url).status_code == 404  # and their documents

    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    for dept in ("DEPT-CDC", "DEPT-HEALTH", "DEPT-HRSS", "DEPT-POLICE", "DEPT-MEDICAL-INSURANCE"):
        world.do(f"approver:{dept}", case["id"], "Task_review", decision="approve")
    [pay] = world.open_tasks("zhang", case["id"])
    assert client.get(f"/my/tasks/{pay['id']}").status_code == 404  # li may not open zhang's step
    assert client.post(f"/my/tasks/{pay['id']}", data={"csrf_token": _sign_in(client, "li")}).status_code == 404
    token = _sign_in(client, "zhang")
    page = client.get(f"/my/tasks/{pay['id']}").get_data(as_text=True)
    assert "¥380.00" in page and 'name="payment_reference"' in page
    refused = client.post(f"/my/tasks/{pay['id']}", data={"csrf_token": token, "paid_amount": "380"})
    assert refused.status_code == 400 and 'f-payment_reference-error' in refused.get_data(as_text=True)
    paid = client.post(f"/my/tasks/{pay['id']}", data={"csrf_token": token, "payment_reference": "PAY-20261123-001",
                                                       "paid_amount": "380"})
    assert paid.status_code == 302 and paid.headers["Location"].endswith(f"/my/cases/{case['id']}")
    assert [t["element_id"] for t in world.open_tasks("clerk", case["id"])] == ["Task_issue"]


def test_earlier_materials_are_reused_with_one_click(world, client):
    token = _sign_in(client, "zhang")
    first = _material(client, token)
    assert _apply(client, token, "submit", FORM, {"PARENT_ID": first}).status_code == 303
    form = client.get(f"{BIRTH}/apply?answers={encode_answers(TYPICAL)}").get_data(as_text=True)
    assert f'value="PARENT_ID:{first}"' in form and 'value="张小宝"' in form  # offered again, and the form pre-filled
    again = client.post(f"{BIRTH}/apply?answers={encode_answers(TYPICAL)}",
                        data={"csrf_token": token, "reuse": f"PARENT_ID:{first}", **FORM})
    assert again.status_code == 200 and f'name="material.PARENT_ID" value="{first}"' in again.get_data(as_text=True)


def test_a_supplement_request_is_shown_and_answered_once(world, client):
    token = _sign_in(client, "zhang")
    assert _apply(client, token, "submit", FORM, {"PARENT_ID": _material(client, token)}).status_code == 303
    [case] = _cases(world, "zhang")
    world.do("clerk", case["id"], "Task_intake", intake_decision="supplement", intake_opinion="身份证照片不清晰，请重新上传")
    [step] = world.open_tasks("zhang", case["id"])
    page = client.get(f"/my/tasks/{step['id']}").get_data(as_text=True)
    assert "身份证照片不清晰，请重新上传" in page and 'data-task-id="' in page
    resp = _upload(client, token, "id-card-2.pdf", pdf(), task_id=str(step["id"]), field="supplement_files")
    attachment = re.search(r'name="supplement_files" value="([0-9a-f]+)"', resp.get_data(as_text=True)).group(1)
    done = client.post(f"/my/tasks/{step['id']}", data={"csrf_token": token, "supplement_files": attachment})
    assert done.status_code == 302
    assert [t["element_id"] for t in world.open_tasks("clerk", case["id"])] == ["Task_intake_again"]


def test_an_unsatisfied_evaluation_needs_a_reason(client, container):
    loop = make_event_loop(client, container)
    cid = loop.report("zhang", **EAST_RUBBISH, channel="app", photos=photos(loop, "zhang"))["id"]
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    run_from_signfor(loop, cid, "zhao")
    task = [t for t in loop.user("zhang").get("/tasks?scope=inbox").get_json() if t["case_id"] == cid][0]
    token = _sign_in(client, "zhang")
    page = client.get(f"/my/tasks/{task['id']}").get_data(as_text=True)
    assert page.count('type="radio" name="satisfaction"') == 3 and "不满意" in page
    refused = client.post(f"/my/tasks/{task['id']}", data={"csrf_token": token, "satisfaction": "unsatisfied"})
    assert refused.status_code == 400 and "f-evaluation_comment-error" in refused.get_data(as_text=True)
    done = client.post(f"/my/tasks/{task['id']}", data={"csrf_token": token, "satisfaction": "unsatisfied",
                                                        "evaluation_comment": "只清了一半"})
    assert done.status_code == 302


def test_every_form_needs_its_csrf_token(world, client):
    _sign_in(client, "zhang")
    assert client.post(f"{BIRTH}/questionnaire", data={"a_born_local": "true", "step": "0", "go": "next"}).status_code == 400
    assert client.post(f"{BIRTH}/apply?answers={encode_answers(TYPICAL)}", data={"go": "submit", **FORM}).status_code == 400
    assert client.post("/my/tasks/1", data={"payment_reference": "PAY-1234567"}).status_code == 400
    assert _cases(world, "zhang") == []


def test_absurd_input_is_a_4xx_never_a_5xx(world, client):
    token = _sign_in(client, "zhang")
    assert client.get("/my/tasks/99999999999999999999").status_code == 404
    assert client.get(f"{BIRTH}/receipt/99999999999999999999").status_code == 404
    assert client.get(f"{BIRTH}/guide?answers=not-base64!").status_code == 400
    assert client.get("/services/no_such_bundle/questionnaire").status_code == 404
    resp = client.post(f"{BIRTH}/questionnaire", data={"csrf_token": token, "step": "9" * 5000, "go": "next",
                                                      "a_born_local": "maybe"})
    assert resp.status_code == 400
    resp = _apply(client, token, "submit", FORM, {"PARENT_ID": "f" * 32})  # an id that is not theirs
    assert resp.status_code == 400 and _cases(world, "zhang") == []
