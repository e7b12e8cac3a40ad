"""The shared macros every page uses (webapp/templates/macros.html) and name_of."""
from __future__ import annotations

from flask import render_template_string

FIELDS = """{% from "macros.html" import form_field, sla_badge, pagination, reason_field %}
{% for f in fields %}{{ form_field(f, errors.get(f.name, ())) }}{% endfor %}
{{ sla_badge("overdue") }}{{ reason_field(errors=["必填"]) }}{{ pagination(2, 10, 45) }}"""


def _field(name, type_, **extra) -> dict:
    return {"name": name, "type": type_, "required": True, "label": name, "choices": [], "min": None,
            "max": None, **extra}


def test_form_fields_render_every_type_with_errors_in_place(app):
    fields = [_field("description", "string", max=500), _field("count", "long", min=1, max=9, value=3),
              _field("amount", "double"), _field("valid", "boolean", value=True), _field("day", "date"),
              _field("department", "enum", choices=[{"value": "D-EAST-CG", "label": "东城区城管局"}]),
              _field("photo", "attachment"), _field("photos", "attachments")]
    with app.test_request_context("/?page=2&q=灯"):
        html = render_template_string(FIELDS, fields=fields, errors={"count": ["太大"]})
    assert '<textarea class="form-control" rows="4" id="f-description"' in html
    assert 'id="f-count" name="count" required aria-required="true" aria-invalid="true" aria-describedby="f-count-error"' in html
    assert 'min="1" max="9"' in html and 'value="3"' in html and 'id="f-count-error">太大</div>' in html
    assert 'step="any"' in html and 'type="checkbox"' in html and " checked" in html and 'type="date"' in html
    assert '<option value="D-EAST-CG">东城区城管局</option>' in html
    assert 'type="file" id="f-photos" name="photos" required aria-required="true" multiple' in html
    assert "超期" in html and "bi-x-octagon" in html  # words and an icon, not colour alone
    assert 'aria-describedby="f-reason-error"' in html
    assert 'aria-current="page">2<' in html and "page=3" in html and "q=%E7%81%AF" in html


def test_name_of_translates_diagram_names_and_falls_back_to_them(client):
    from webapp.i18n import name_of
    with client.application.test_request_context("/?lang=en"):
        assert name_of("签收") == "Accept assignment" and name_of("路灯不亮") == "Streetlight out"
        assert name_of("新环节") == "新环节" and name_of(None) == ""
    with client.application.test_request_context("/?lang=zh"):
        assert name_of("签收") == "签收"
