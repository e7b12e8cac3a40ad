"""The acceptance journey of 一件事一次办 in Chromium at phone width: a parent completes 出生一件事
in the pages alone — the catalogue, the questionnaire one question per screen, the 一次性告知单
PDF, signing in with the answers kept, the one form with two attachments (a JPEG and a PDF),
the review, the receipt; the back office decides through the services; the parent confirms
the payment and downloads the result. Every page of the journey has no axe-core violation."""
from __future__ import annotations

from urllib.parse import urljoin

from tests.factories.bundles import BundleWorld
from tests.factories.directory import PASSWORD
from tests.factories.files import pdf, photo
from tests.factories.pdf import pdf_text
from tests.bundles.test_birth_one_thing import FORM, TYPICAL
from webapp.api.bundles import encode_answers

WIDTH = 375
TYPED = ("child_name", "birth_hospital", "mother_name", "mother_id_number", "father_name", "father_id_number",
         "hukou_address", "guardian_phone", "mailing_address", "vaccination_clinic")
ANSWERS = [("新生儿是否在本市助产机构出生？", "是"), ("新生儿是否在本市落户？", "在本市随父或母落户"),
           ("父母是否已办理结婚登记？", "是"), ("是否为新生儿办理城乡居民医保参保？", "是"), ("是否同时申领社会保障卡？", "是")]


def _looks_right(page, check_a11y, shot, name: str) -> None:
    """No axe-core violation at all, nothing wider than the phone, and a screenshot."""
    assert check_a11y(page) == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH
    shot(page, name)


def _pdf(page, href: str) -> bytes:
    resp = page.request.get(urljoin(page.url, href))  # the page's own cookies
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    return resp.body()


def test_a_parent_completes_birth_one_thing_in_the_pages(client, container, base_url, phone, shot, check_a11y, tmp_path):
    world = BundleWorld(client, container, keys=("birth_one_thing",))
    page = phone
    page.goto(f"{base_url}/services")
    _looks_right(page, check_a11y, shot, "01-services")
    page.click("a[aria-describedby=svc-birth_one_thing]")

    for n, (question, answer) in enumerate(ANSWERS, start=1):
        page.wait_for_selector(f"legend:has-text('{question}')")
        page.click(f"label:text-is('{answer}')")  # the whole tile is the target
        _looks_right(page, check_a11y, shot, f"02-question-{n}")
        with page.expect_navigation():
            page.click("button[value=next]")

    assert "/guide?answers=" in page.url
    _looks_right(page, check_a11y, shot, "03-guide")
    notice = _pdf(page, page.get_attribute("#notice-link", "href"))
    assert notice.startswith(b"%PDF") and "出生一件事" in pdf_text(notice) and "父母双方居民身份证" in pdf_text(notice)

    with page.expect_navigation():
        page.click("#start-link")
    assert "/login" in page.url  # sign in first; the answers come back with the link
    page.fill("#username", "zhang")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/services/birth_one_thing/apply?answers=" in page.url
    assert page.input_value("#f-guardian_name")  # pre-filled from the profile

    for name in TYPED:
        page.fill(f"#f-{name}", FORM[name])
    page.fill("#f-guardian_name", FORM["guardian_name"])
    page.fill("#f-birth_date", FORM["birth_date"])
    page.click("label:text-is('男')")
    (tmp_path / "id-cards.pdf").write_bytes(pdf())
    (tmp_path / "baby.jpg").write_bytes(photo("JPEG", gps=None))
    page.set_input_files("#m-PARENT_ID-file", str(tmp_path / "id-cards.pdf"))
    page.wait_for_selector("#m-PARENT_ID-list li[data-attachment-id]")
    page.set_input_files("#m-CHILD_PHOTO-file", str(tmp_path / "baby.jpg"))
    page.wait_for_selector("#m-CHILD_PHOTO-list li[data-attachment-id] img")
    _looks_right(page, check_a11y, shot, "04-form")

    with page.expect_navigation():
        page.click("button[value=review]")
    assert "张小宝" in page.content() and "id-cards.pdf" in page.content() and "baby.jpg" in page.content()
    _looks_right(page, check_a11y, shot, "05-review")
    with page.expect_navigation():
        page.click("button[value=submit]")
    number, code = page.inner_text("#receipt-number"), page.inner_text("#receipt-code")
    assert number.isdigit() and len(code) == 6
    _looks_right(page, check_a11y, shot, "06-receipt")

    [case] = world["zhang"].get("/cases").get_json()["items"]
    world.do("clerk", case["id"], "Task_intake", intake_decision="accept")
    for dept in world.departments:
        world.do(f"approver:{dept}", case["id"], "Task_review", decision="approve")

    page.goto(f"{base_url}/my/cases/{case['id']}")
    with page.expect_navigation():
        page.click("a[href^='/my/tasks/']")
    assert "¥380.00" in page.content()
    _looks_right(page, check_a11y, shot, "07-payment")
    page.fill("#f-payment_reference", "PAY-20261123-001")
    page.fill("#f-paid_amount", "380")
    with page.expect_navigation():
        page.click("#step-send")
    assert page.url.endswith(f"/my/cases/{case['id']}")
    shot(page, "08-paid")

    world.do("clerk", case["id"], "Task_issue", issue_method="online")
    page.reload()
    result = page.locator("a[href*='/documents/']", has_text="出生一件事办理结果通知书")
    data = _pdf(page, result.get_attribute("href"))
    assert data.startswith(b"%PDF") and "出生一件事" in pdf_text(data)
    shot(page, "09-result")


def test_the_pages_read_in_english_and_a_supplement_is_answered_once(client, container, base_url, page, sign_in,
                                                                      shot, check_a11y, tmp_path):
    world = BundleWorld(client, container, keys=("birth_one_thing", "business_startup_one_thing"))
    sign_in(page, base_url, "zhang")
    page.goto(f"{base_url}/services?lang=en")
    assert "For individuals" in page.content() and "Starting a business" in page.content()
    assert check_a11y(page) == []
    shot(page, "en-services")
    page.goto(f"{base_url}/services/birth_one_thing/questionnaire")
    assert "Was the child born in a hospital in this city?" in page.content()
    assert check_a11y(page) == []
    shot(page, "en-question")
    page.goto(f"{base_url}/services/birth_one_thing/guide?answers={encode_answers(TYPICAL)}")
    assert "Medical birth certificate" in page.content() and "1 working day" in page.content()
    assert check_a11y(page) == []
    shot(page, "en-guide")
    page.click("#start-link")
    assert "Child's name" in page.content()
    assert check_a11y(page) == []
    shot(page, "en-form")

    case = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]}).get_json()
    world.do("clerk", case["id"], "Task_intake", intake_decision="supplement", intake_opinion="身份证照片不清晰，请重新上传")
    [step] = world.open_tasks("zhang", case["id"])
    page.goto(f"{base_url}/my/tasks/{step['id']}")
    assert "身份证照片不清晰" in page.content()
    (tmp_path / "id-card-again.pdf").write_bytes(pdf())
    page.set_input_files("#f-supplement_files-file", str(tmp_path / "id-card-again.pdf"))
    page.wait_for_selector("#f-supplement_files-list li[data-attachment-id]")
    assert check_a11y(page) == []
    shot(page, "en-supplement")
    with page.expect_navigation():
        page.click("#step-send")
    assert page.url.endswith(f"/my/cases/{case['id']}")
    assert [t["element_id"] for t in world.open_tasks("clerk", case["id"])] == ["Task_intake_again"]
