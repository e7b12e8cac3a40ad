"""Every document template renders its sample in both languages, says what its data says, and
embeds fonts that draw every character; the font check itself fails on PDFs that would not."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest
from pypdf import PdfReader, PdfWriter

from engine.errors import InvalidInput, NotFound
from notifications.documents import LANGS, names, render, sample_context
from notifications.documents.renderer import HERE
from tests.factories.pdf import assert_fonts_cover, pdf_text

# what each sample says it is, in zh-CN and in English (the material_form sample is a 样表)
TITLES = {"guide_notice": ("一次性告知单", "One-time Notice"), "material_form": ("样表", "Sample form"),
          "bundle_result": ("办理结果通知书", "Notice of Result"), "approval_notice": ("准予许可决定书", "Decision to Grant"),
          "revocation_notice": ("撤销行政许可决定书", "Decision to Revoke")}


def _key_values(name: str, ctx: dict) -> list[str]:
    """What a reader must find in the document, taken from the sample itself."""
    values = [ctx["bundle"]["name"], ctx["footnote"]]
    if name == "guide_notice":
        values += [ctx["bundle"][k] for k in ("where", "how", "contact")] + [ctx["time_limit"], ctx["number"]]
        values += [a["answer"] for a in ctx["answers"]] + [i["department"] for i in ctx["items"]]
        values += [m["name"] for m in ctx["materials"]] + [p for m in ctx["materials"] for p in m["review_points"]]
    elif name == "material_form":
        values += [ctx["material"]["name"]] + [f[k] for f in ctx["fields"] for k in ("label", "value")]
    else:
        values += [ctx["case"]["number"], ctx["case"]["applicant"]]
    if name == "bundle_result":
        values += [i["department"] for i in ctx["items"]] + [i["reason"] for i in ctx["items"] if i["reason"]]
        values += [ctx["summary"], "¥380.00"]
    if name == "approval_notice":
        values += ctx["commitments"]
    if name == "revocation_notice":
        values += [ctx["reason"]]
    return values


def _flat(text: str) -> str:
    return "".join(text.split())  # table cells wrap anywhere in CJK text


def _zh_labels(name: str) -> set[str]:
    """The zh-CN side of every ``t("zh", "en")`` label the document's templates use."""
    sources = [HERE / name / "template.html", HERE / "layout.html", HERE / "macros.html"]
    return {_flat(m) for p in sources for m in re.findall(r't\(\s*"([^"]+)",', p.read_text(encoding="utf-8"))}


def test_the_five_documents_are_there():
    assert set(TITLES) <= set(names())  # notifications' notices are tested in tests/notify


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(TITLES))
def test_sample_renders_with_its_data_and_embedded_fonts(name, lang, caplog):
    ctx = sample_context(name)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = render(name, ctx, lang)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []  # CSS all understood
    assert data.startswith(b"%PDF-")
    text = _flat(pdf_text(data))
    for value in _key_values(name, ctx):
        assert _flat(value) in text, value
    zh_title, en_title = TITLES[name]
    assert _flat(en_title if lang == "en" else zh_title) in text
    if lang == "en":  # no label left in Chinese (unless the sample data says the same words)
        said = _flat(json.dumps(ctx, ensure_ascii=False))
        assert {label for label in _zh_labels(name) if label in text and label not in said} == set()
    assert_fonts_cover(data)


def test_dates_are_written_in_the_documents_language():
    ctx = sample_context("bundle_result")
    assert "2026年11月27日" in pdf_text(render("bundle_result", ctx))
    assert "27 November 2026" in pdf_text(render("bundle_result", ctx, "en"))


def test_a_blank_form_has_the_labels_and_none_of_the_values():
    ctx = {**sample_context("material_form"), "sample": False}
    text = pdf_text(render("material_form", ctx))
    assert "申请人姓名" in text and "空表" in text
    assert "张三" not in text and "样表·" not in _flat(text)


def test_remedies_only_when_something_was_refused():
    ctx = sample_context("bundle_result")
    approved = {**ctx, "outcome": "approved", "items": [{**i, "outcome": "approved"} for i in ctx["items"]]}
    assert "行政复议" in pdf_text(render("bundle_result", ctx))
    assert "行政复议" not in pdf_text(render("bundle_result", approved))


def test_the_same_context_renders_the_same_bytes():
    ctx = sample_context("revocation_notice")
    assert render("revocation_notice", ctx) == render("revocation_notice", ctx)


def test_unknown_template_or_language_is_refused():
    with pytest.raises(NotFound):
        render("../layout", {})
    with pytest.raises(InvalidInput):
        render("guide_notice", sample_context("guide_notice"), "fr")


def _helvetica_pdf(text: str) -> bytes:
    """A hand-built one-page PDF showing ``text`` in the standard Helvetica, not embedded."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
               b" /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)]
    out, offsets = io.BytesIO(b"%PDF-1.4\n"), []
    out.seek(0, 2)
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_font_check_fails_on_a_font_that_is_not_embedded():
    data = _helvetica_pdf("Hello")
    assert pdf_text(data) == "Hello"
    with pytest.raises(AssertionError, match="Helvetica is not embedded"):
        assert_fonts_cover(data)


def test_font_check_fails_on_an_embedded_font_without_the_glyphs_shown():
    """鹅鸭 shown with the program WeasyPrint embedded for 鹅 alone (neither is elsewhere in the
    document): 鸭 has no glyph."""
    both = PdfReader(io.BytesIO(render("revocation_notice", {**sample_context("revocation_notice"), "reason": "鹅鸭"})))
    alone = PdfReader(io.BytesIO(render("revocation_notice", {**sample_context("revocation_notice"), "reason": "鹅"})))

    def regular(reader):
        return next(f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()
                    if "Bold" not in f.get_object()["/BaseFont"])["/DescendantFonts"][0].get_object()["/FontDescriptor"]

    writer = PdfWriter(clone_from=both)
    program = regular(writer).get_object()["/FontFile3"].get_object()
    program.set_data(regular(alone).get_object()["/FontFile3"].get_object().get_data())
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(AssertionError, match="has no glyph for '鸭'"):
        assert_fonts_cover(out.getvalue())


def test_preview_command_writes_the_sample_pdf(tmp_path):
    from click.testing import CliRunner

    from webapp.cli import main
    out = tmp_path / "notice.pdf"
    result = CliRunner().invoke(main, ["documents", "preview", "approval_notice", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Decision to Grant a Licence" in pdf_text(out.read_bytes())
    assert CliRunner().invoke(main, ["documents", "preview", "nope"]).exit_code == 1
