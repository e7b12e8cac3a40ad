"""Every message template renders against its sample data on every channel and language; an
SMS is one segment and carries the registered signature."""
from __future__ import annotations

import pytest

from notifications import messages
from notifications.rules import DEFAULTS

SIGNATURE = "【市民服务】"


@pytest.mark.parametrize("lang", messages.LANGS)
@pytest.mark.parametrize("name", messages.names())
def test_each_template_renders_on_each_channel(name, lang):
    sample = messages.sample_context(name)
    sms = messages.render(name, "sms", sample, lang, SIGNATURE).body
    assert sms.startswith(SIGNATURE) and "\n" not in sms
    assert messages.sms_segments(sms) == 1, (len(sms), sms)
    mail = messages.render(name, "email", sample, lang)
    assert mail.subject and "\n" not in mail.subject and sample["recipient"]["name"] in mail.body
    assert mail.html.startswith("<!doctype html>") and mail.subject in mail.html
    inapp = messages.render(name, "inapp", sample, lang)
    assert inapp.subject == mail.subject and inapp.body
    if lang == "zh-CN":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in sms[len(SIGNATURE):])


def test_every_default_rule_names_a_template():
    assert {r["message"] for r in DEFAULTS} <= set(messages.names())


def test_a_long_reason_is_clipped_to_keep_one_segment():
    sample = messages.sample_context("case_urged") | {"reason": "请" * 60}
    assert messages.sms_segments(messages.render("case_urged", "sms", sample, "zh-CN", SIGNATURE).body) == 1
