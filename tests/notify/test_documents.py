"""The new PDF notices: their Chinese text, fonts that cover every character, and the receipt's
QR code decoding to the public status page."""
from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp

from notifications.documents import render, sample_context
from tests.factories.pdf import assert_fonts_cover, pdf_text

EXPECTED = {
    "acceptance_receipt": ["受理回执", "20261123000042", "查询码", "扫码查询办理进度"],
    "supplement_notice": ["补正告知书", "营业执照复印件不清晰"],
    "completion_notice": ["办结通知书", "2026年11月25日办结"],
    "urging_notice": ["督办单", "群众反映强烈，请于今日内处置"],
    "refusal_decision": ["不予受理决定书", "不属于本机关职权范围", "行政复议"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_notice_reads_in_chinese_with_its_fonts(name):
    data = render(name, sample_context(name))
    text = "".join(pdf_text(data).split())
    for phrase in EXPECTED[name]:
        assert phrase in text
    assert_fonts_cover(data)
    assert render(name, sample_context(name)) == data or pdf_text(render(name, sample_context(name))) == pdf_text(data)


def test_the_receipt_qr_code_decodes_to_the_status_page():
    sample = sample_context("acceptance_receipt")
    page = pypdfium2.PdfDocument(io.BytesIO(render("acceptance_receipt", sample)))[0]
    found = [r.text for r in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    assert found == [sample["status_url"]]
    assert found[0].endswith("/status/20261123000042?code=8F3K2Q")
