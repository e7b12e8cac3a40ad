"""智能导办: the guide and its 一次性告知单 list exactly what the answers imply — checked for every
answer combination of 出生一件事 by reading the PDF — and the one form asks each field once,
pre-filled from the applicant's earlier application, with their earlier materials offered again."""
from __future__ import annotations

import itertools
import re

import pytest

from tests.factories.bundles import BundleWorld
from tests.factories.files import pdf as a_pdf, upload_id
from tests.factories.pdf import assert_fonts_cover, pdf_text
from tests.bundles.test_birth_one_thing import FORM, TYPICAL

NAMES = {"PARENT_ID": "父母双方居民身份证", "OUTSIDE_BIRTH_CERT": "外地签发的出生证",
         "NONMARITAL_STATEMENT": "非婚生育情况声明", "CHILD_PHOTO": "新生儿免冠照片"}


def birth_combinations():
    """Every way to answer the questionnaire, following its show_if."""
    for born_local, hukou, insurance in itertools.product([True, False], ["local", "elsewhere"], [True, False]):
        for married in ([True, False] if hukou == "local" else [None]):
            for social_card in ([True, False] if insurance else [None]):
                answers = {"born_local": born_local, "hukou": hukou, "married": married,
                           "insurance": insurance, "social_card": social_card}
                yield {k: v for k, v in answers.items() if v is not None}


def implied_materials(a: dict) -> set[str]:
    """The materials catalogue read by hand, independently of the rules file."""
    out = {"PARENT_ID"}
    if not a["born_local"]:
        out.add("OUTSIDE_BIRTH_CERT")
    if a["hukou"] == "local" and not a["married"]:
        out.add("NONMARITAL_STATEMENT")
    if a.get("social_card"):
        out.add("CHILD_PHOTO")
    return out


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("birth_one_thing",))


def _guide(client, answers, headers=None):
    return client.post("/api/v1/bundles/birth_one_thing/guide", json={"answers": answers}, headers=headers or {})


def test_the_notice_lists_exactly_the_implied_materials_for_every_answer_combination(world, client):
    combos = list(birth_combinations())
    assert len(combos) == 18
    for answers in combos:
        guide = _guide(client, answers)
        assert guide.status_code == 200, guide.get_json()
        body = guide.get_json()
        assert {m["code"] for m in body["materials"]} == implied_materials(answers), answers
        notice = client.get(body["notice_url"])
        assert notice.status_code == 200 and notice.mimetype == "application/pdf"
        text = re.sub(r"\s+", "", pdf_text(notice.data))
        for code, name in NAMES.items():
            assert (name in text) == (code in implied_materials(answers)), (answers, name)
        for item in body["items"]:
            assert item["name"] in text and item["department"] in text
        assert_fonts_cover(notice.data)


def test_the_guide_gives_items_departments_time_limits_and_one_form(world, client):
    body = _guide(client, {"born_local": True, "hukou": "elsewhere", "insurance": False}).get_json()
    assert [i["code"] for i in body["items"]] == ["birth_certificate", "vaccination"]
    assert body["items"][0]["department"] == "市卫生健康委（示例）" and body["items"][0]["time_limit"] == "1wd"
    names = [f["name"] for f in body["form"]["fields"]]
    assert len(names) == len(set(names))  # each field asked once
    assert "hukou_address" not in names and "father_id_number" not in names  # not asked for these items
    assert {"child_name", "birth_hospital", "vaccination_clinic"} <= set(names)
    review = body["materials"][0]["review_points"]
    assert review and body["materials"][0]["sample_url"].endswith("/sample.pdf")
    sample = client.get(body["materials"][0]["sample_url"])
    assert sample.status_code == 200 and "样例" in pdf_text(sample.data)


@pytest.mark.parametrize("answers, field", [
    ({"born_local": True, "hukou": "local", "insurance": False}, "answers.married"),  # asked, not answered
    ({"born_local": True, "hukou": "elsewhere", "married": True, "insurance": False}, "answers.married"),  # not asked
    ({"born_local": "yes", "hukou": "elsewhere", "insurance": False}, "answers.born_local"),
    ({"born_local": True, "hukou": "abroad", "insurance": False}, "answers.hukou"),
    ({"born_local": True, "hukou": "elsewhere", "insurance": False, "pets": 2}, "answers.pets"),
])
def test_bad_answers_are_named(world, client, answers, field):
    resp = _guide(client, answers)
    assert resp.status_code == 400
    assert field in resp.get_json()["error"]["fields"]


def test_a_tampered_notice_link_is_a_400_not_a_500(world, client):
    assert client.get("/api/v1/bundles/birth_one_thing/notice.pdf?answers=%%%").status_code == 400
    assert client.get("/api/v1/bundles/birth_one_thing/notice.pdf").status_code == 400
    assert client.get("/api/v1/bundles/no_such/questionnaire").status_code == 404


def test_the_form_is_prefilled_from_the_earlier_application_and_materials_are_reused(world, client):
    first_id = world.material("zhang")
    assert world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [first_id]}).status_code == 201
    body = _guide(client, TYPICAL, world["zhang"].headers).get_json()
    values = {f["name"]: f.get("value") for f in body["form"]["fields"]}
    assert values["mother_id_number"] == FORM["mother_id_number"] and values["hukou_address"] == FORM["hukou_address"]
    assert [a["id"] for a in body["reusable_materials"]["PARENT_ID"]] == [first_id]
    second = world.apply("zhang", "birth_one_thing", TYPICAL, FORM | {"child_name": "张二宝"}, {"PARENT_ID": [first_id]})
    assert second.status_code == 201, second.get_json()
    anonymous = _guide(client, TYPICAL).get_json()
    assert all(f.get("value") is None for f in anonymous["form"]["fields"]) and anonymous["reusable_materials"] == {}


def test_an_application_missing_a_material_or_using_someone_elses_is_refused_and_changes_nothing(world):
    missing = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {})
    assert missing.status_code == 400 and "attachments.PARENT_ID" in missing.get_json()["error"]["fields"]
    foreign = upload_id(world["li"], "li-id.pdf", a_pdf())
    stolen = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [foreign]})
    assert stolen.status_code == 400 and "attachments.PARENT_ID" in stolen.get_json()["error"]["fields"]
    bad_form = world.apply("zhang", "birth_one_thing", TYPICAL, FORM | {"mother_id_number": "123"}, {"PARENT_ID": [world.material("zhang")]})
    assert bad_form.status_code == 400 and "form.mother_id_number" in bad_form.get_json()["error"]["fields"]
    assert world["zhang"].get("/cases").get_json()["total"] == 0
