"""Issue #16 §5: markup, template syntax, ``javascript:`` URLs and bidi or zero-width characters
that a citizen types into a report (title, description, address, a photo's file name) and that
staff type into their notes come back as the text that was typed, everywhere it is shown: the
staff case, task and inbox pages, the citizen's pages, the public status page, the supervision
lists, in-app notifications, the PDF receipt, e-mail and SMS. Never as an element, an event
handler, a link that runs script or an evaluated template. Spreadsheet exports neutralise
cells that a spreadsheet would run as a formula (OWASP "CSV injection")."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from pypdf import PdfReader

from notifications.delivery import deliver_due
from tests.factories.bpmn import diagram, end, flow, start
from tests.factories.directory import make_user
from tests.factories.event_loop import EventLoop, make_event_loop
from tests.factories.files import multipart, photo
from tests.factories.pages import csrf_of, sign_in_page
from tests.factories.pdf import pdf_text
from tests.notify.conftest import sms, smtp, wired  # noqa: F401  (the local mail server and SMS gateway)

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
JS_URL = "javascript:alert(document.cookie)"
BIDI = "\u202eevil\u202c\u200b"  # right-to-left override, pop, zero-width space
TITLE = f"{SCRIPT}{BREAKOUT}{BIDI}"
DESCRIPTION = f'{TEMPLATE} <a href="{JS_URL}">点我</a> {JS_URL}'
ADDRESS = f"和平路12号{BREAKOUT}"
NOTE = f"<script>alert(2)</script><svg onload=alert(2)>{TEMPLATE}"
FILE_NAME = f'{BREAKOUT}.jpg'
EAST = dict(district="D-EAST", lat="39.915", lng="116.404")
PHONES = {"zhao": "13900139001", "wu": "13900139002"}


@dataclass
class Story:
    loop: EventLoop
    case: dict          # as the reporter's own view shows it
    pages: dict         # username → a signed-in page client


def assert_inert(page: str, *shown: str) -> None:
    """No element, attribute or link in ``page`` came from typed text, and each of ``shown``
    reads in the page as typed."""
    tree = lxml_html.document_fromstring(page)
    for script in tree.iter("script"):
        assert script.get("src") and not (script.text or "").strip(), lxml_html.tostring(script)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        handlers = [name for name in element.attrib if name.lower().startswith("on")]
        assert not handlers, lxml_html.tostring(element)[:200]
        for name in ("href", "src", "action", "formaction", "data"):
            assert not (element.get(name) or "").strip().lower().startswith("javascript:"), element.get(name)
    assert not tree.xpath("//img[@src='x'] | //svg[@onload] | //*[local-name()='svg' and @onload]")
    text = tree.text_content()
    for typed in shown:
        assert typed in text, (typed, text[:2000])


@pytest.fixture
def story(app, client, wired, smtp, sms) -> Story:  # noqa: F811
    loop = make_event_loop(client, wired)
    make_user(wired, "liu-page", "citizen")
    for username, phone in PHONES.items():
        assert loop.user(username).client.put("/api/v1/notifications/preferences", headers=loop.user(username).headers,
                                              json={"phone": phone, "email": f"{username}@example.cn"}).status_code == 200
    zhang = loop.user("zhang")
    assert zhang.client.put("/api/v1/notifications/preferences", headers=zhang.headers,
                            json={"email": "zhang@example.cn"}).status_code == 200
    pages = {name: app.test_client() for name in ("zhang", "li", "zhao", "wu", "liu-page")}
    for name, page in pages.items():
        assert sign_in_page(page, name).status_code == 302
    reporter = pages["zhang"]
    body, content_type = multipart(FILE_NAME, photo(), file_field="photos", csrf_token=csrf_of(
        reporter.get("/report").get_data(as_text=True)), title=TITLE, description=DESCRIPTION, address=ADDRESS, **EAST)
    resp = reporter.post("/report", data=body, content_type=content_type)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    case_id = zhang.get("/cases").get_json()["items"][0]["id"]
    loop.advance("li", case_id, "Task_preprocess", decision="accept", preprocess_note=NOTE)
    loop.advance("li", case_id, "Task_classify", category="urban.appearance.exposed_rubbish", grade="C",
                 urgency="normal", classify_note=NOTE)
    signfor = loop.open_task(case_id, "Task_signfor")
    assert loop.user("zhao").post(f"/tasks/{signfor['id']}/cc", {"users": ["wu"], "note": NOTE}).status_code == 201
    assert loop.user("zhao").post(f"/tasks/{signfor['id']}/claim").status_code == 200  # urging texts the assignee
    assert loop.user("wu").post(f"/cases/{case_id}/urge", {"reason": NOTE}).status_code == 200
    deliver_due(wired, "hostile-rendering")
    return Story(loop, loop.case(case_id, "zhang"), pages)


def assert_pdf_inert(data: bytes, *shown: str) -> None:
    """The PDF opens no action and runs no script, its links are no ``javascript:`` URLs, and
    each of ``shown`` is in its text as typed."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in (root.get("/Names") or {})
    for page in reader.pages:
        assert "/AA" not in page
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                action = action.get_object()
                assert action.get("/S") == "/URI", action
                assert not str(action.get("/URI")).lower().startswith("javascript:"), action
    text = pdf_text(data)
    for typed in shown:
        assert typed in text, (typed, text)


def test_typed_markup_reads_as_text_on_every_page_that_shows_the_case(story):
    cid, number = story.case["id"], story.case["number"]
    signfor = story.loop.open_task(cid, "Task_signfor")
    everything = (TITLE, DESCRIPTION, ADDRESS, FILE_NAME, NOTE)
    for who, path, shown in [
            ("li", f"/cases/{cid}", everything),                                 # the staff case page
            ("zhao", f"/tasks/{signfor['id']}", (TITLE, DESCRIPTION, ADDRESS)),  # the step's page
            ("zhao", "/", (TITLE, NOTE)),                                        # the inbox, urged
            ("zhao", "/inbox/rows", (TITLE, NOTE)),
            ("wu", "/supervise/tasks", (TITLE,)),
            ("wu", "/notifications", (TITLE,)),
            ("zhang", "/my", (TITLE,)),
            ("zhang", f"/my/cases/{cid}", (TITLE, DESCRIPTION, ADDRESS)),
            ("zhang", f"/report/{number}/receipt", (TITLE,)),
            ("liu-page", "/report/nearby?lat=39.915&lng=116.404", (TITLE,))]:   # another citizen, nearby
        resp = story.pages[who].get(path)
        assert resp.status_code == 200, (who, path)
        assert_inert(resp.get_data(as_text=True), *shown)
    public = story.pages["liu-page"].application.test_client().get(
        f"/status/{number}?code={story.case['query_code']}")
    assert public.status_code == 200
    assert_inert(public.get_data(as_text=True), TITLE)


def test_the_receipt_mail_and_sms_carry_the_text_as_typed(story, smtp, sms):  # noqa: F811
    zhang = story.loop.user("zhang")
    receipt = zhang.get(f"/cases/{story.case['id']}/documents").get_json()[0]
    assert receipt["name"] == "受理回执"
    pdf = zhang.get(f"/documents/{receipt['id']}")
    assert pdf.mimetype == "application/pdf"
    assert_pdf_inert(pdf.get_data(), SCRIPT, BREAKOUT)

    [mail] = [m for m in smtp.messages if m["To"] == "zhang@example.cn"]  # 受理 (case_accepted)
    assert_inert(mail.get_body(("html",)).get_content(), TITLE)
    assert TITLE in mail.get_body(("plain",)).get_content()  # plain text is not HTML: no entities

    [(phone, text)] = [(p, t) for p, t in sms.texts if "督办" in t]  # case_urged, to the assignee
    assert phone == PHONES["zhao"] and "<script>alert(2…" in text  # the reason, clipped but as typed


FORMULAS = {"=cmd|' /C calc'!A0": "process", "+1+1": "district", "-2+3": "district", "@SUM(A1:A9)": "district",
            "=1+2": "district"}


def test_exports_neutralise_formulas_typed_into_what_they_group_by(client, container):
    """A diagram named like a formula (an admin's or a vendor's file) and districts typed into a
    free-text field (a citizen's words) open in a spreadsheet as text, not as formulas."""
    from tests.factories.api import ApiUser
    make_user(container, "root", "admin")
    make_user(container, "zhang", "citizen")
    root, zhang = ApiUser(client, "root"), ApiUser(client, "zhang")
    name = next(text for text, kind in FORMULAS.items() if kind == "process")
    bpmn = diagram("free_text", "\n".join([start("title,district"), end(), flow("start", "end")]), name=name)
    assert root.upload(("free_text.bpmn", bpmn)).status_code == 201
    for text, kind in FORMULAS.items():
        if kind == "district":
            assert zhang.post("/cases", {"process_key": "free_text", "data": {"title": "x", "district": text}}
                              ).status_code == 201
    typed = set(FORMULAS)

    csv_cells = set()
    for group_by in ("district", "process"):
        resp = root.get(f"/kpis.csv?group_by={group_by}")
        assert resp.status_code == 200
        csv_cells |= {cell for row in csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff")))
                      for cell in row}
    assert {"'" + t for t in typed} <= csv_cells  # shown as typed, behind the apostrophe
    assert not [c for c in csv_cells if c.startswith(("=", "+", "-", "@"))]

    xlsx_cells = []
    for group_by in ("district", "process"):
        resp = root.get(f"/kpis.xlsx?group_by={group_by}")
        assert resp.status_code == 200
        xlsx_cells += [cell for row in load_workbook(io.BytesIO(resp.get_data())).active.iter_rows() for cell in row]
    assert typed <= {c.value for c in xlsx_cells}  # the text itself, as a text cell
    assert not [c.value for c in xlsx_cells if c.data_type == "f"]
