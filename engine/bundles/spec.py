"""A one-thing bundle as data: what its folder's JSON files may say, checked before anything is
stored. Each file has a marshmallow schema; a problem names the file and the field."""
from __future__ import annotations

import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from forms import messages_from
from forms.form_data import FIELD_TYPES, FieldSpec

from .. import expressions
from ..calendar.durations import parse_limit
from ..errors import InvalidInput

FILES = ("bundle.json", "questionnaire.json", "rules.json", "materials.json")
THEMES = ("personal", "enterprise")
_CODE = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$", error="letters, digits, _ and - only")
_NAME = validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", error="must be an identifier")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Expression(fields.String):
    """A rule or condition: parsed by the restricted evaluator at load time."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            expressions.check_expression(text)
        except expressions.ExpressionError as exc:
            raise ValidationError(f"not a valid expression: {exc.reason}") from exc
        return text


class _Limit(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_limit(text)
        except ValueError as exc:
            raise ValidationError(f"not a time limit such as 5wd or 2h ({exc})") from exc
        return text


class Choice(_Strict):
    value = fields.String(required=True)
    label = fields.String(required=True)
    label_en = fields.String(load_default="")


class Field(_Strict):
    """A field of the one form; the same name in several items is asked once."""

    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    label = fields.String(required=True)
    label_en = fields.String(load_default="")
    required = fields.Boolean(load_default=True)
    choices = fields.List(fields.Nested(Choice), load_default=list)
    constraints = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    profile = fields.String(load_default=None, validate=validate.OneOf(["display_name", "username", "phone", "email", "organisation", "credit_code"]))


class Department(_Strict):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True)
    parent = fields.String(load_default="CITY")


class Item(_Strict):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True)
    name_en = fields.String(load_default="")
    department = fields.String(required=True, validate=_CODE)
    time_limit = _Limit(required=True)
    fee = fields.Float(load_default=0, validate=validate.Range(min=0))
    field_names = fields.List(fields.String(validate=_NAME), data_key="fields", load_default=list)


class DocumentRule(_Strict):
    on = fields.String(required=True)  # the BPMN element whose passing issues the document
    kind = fields.String(required=True, validate=_CODE)
    template = fields.String(required=True, validate=_CODE)
    title = fields.String(required=True)


class BundleFile(_Strict):
    key = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True)
    name_en = fields.String(load_default="")
    description = fields.String(load_default="")
    process_key = fields.String(required=True, validate=_CODE)
    diagram = fields.String(required=True, validate=validate.Regexp(r"^[\w.-]+\.bpmn$"))
    where = fields.String(load_default="")
    how = fields.String(load_default="")
    contact = fields.String(load_default="")
    illustrative = fields.Boolean(load_default=True)  # the seeds name no departments
    # the catalogue's groups: 个人 (personal) or 法人 (enterprise) services, then the life event
    theme = fields.String(load_default="personal", validate=validate.OneOf(THEMES))
    life_event = fields.String(load_default="", validate=validate.Length(max=40))
    life_event_en = fields.String(load_default="", validate=validate.Length(max=80))
    departments = fields.List(fields.Nested(Department), load_default=list)
    items = fields.List(fields.Nested(Item), required=True, validate=validate.Length(min=1))
    form_fields = fields.Dict(keys=fields.String(validate=_NAME), values=fields.Nested(Field), data_key="fields",
                              load_default=dict)
    instant = _Expression(load_default=None)  # 秒批: true → approved inside the application
    subsidy = _Expression(load_default=None)  # 奖补金额辅助计算
    documents = fields.List(fields.Nested(DocumentRule), load_default=list)
    commitments = fields.List(fields.String(), load_default=list)  # 先承诺后审批: what the applicant signs

    @validates_schema
    def _references(self, data, **kwargs):
        codes = [i["code"] for i in data["items"]]
        problems = {}
        if len(set(codes)) != len(codes):
            problems["items"] = ["item codes must be unique"]
        for n, item in enumerate(data["items"]):
            unknown = [f for f in item["field_names"] if f not in data["form_fields"]]
            if unknown:
                problems[f"items.{n}.fields"] = [f"not declared in fields: {', '.join(unknown)}"]
        for name, spec in data["form_fields"].items():
            field_problems = field_spec(name, spec).problems()
            if field_problems:
                problems[f"fields.{name}"] = field_problems
        if problems:
            raise ValidationError(problems)


class Question(_Strict):
    id = fields.String(required=True, validate=_NAME)
    text = fields.String(required=True)
    text_en = fields.String(load_default="")
    type = fields.String(required=True, validate=validate.OneOf(["choice", "boolean"]))
    choices = fields.List(fields.Nested(Choice), load_default=list)
    show_if = _Expression(load_default=None)

    @validates_schema
    def _choices(self, data, **kwargs):
        if data["type"] == "choice" and len(data["choices"]) < 2:
            raise ValidationError({"choices": ["a choice question needs at least two choices"]})


class QuestionnaireFile(_Strict):
    questions = fields.List(fields.Nested(Question), required=True)


class ItemRule(_Strict):
    item = fields.String(required=True)
    when = _Expression(required=True)


class MaterialRule(_Strict):
    material = fields.String(required=True)
    when = _Expression(load_default="True")
    required = fields.Boolean(load_default=True)


class RulesFile(_Strict):
    items = fields.List(fields.Nested(ItemRule), load_default=list)
    materials = fields.List(fields.Nested(MaterialRule), required=True)


class Material(_Strict):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True)
    name_en = fields.String(load_default="")
    copies = fields.Integer(load_default=1, validate=validate.Range(min=0, max=99))
    form = fields.String(load_default="电子版")  # 原件 / 复印件 / 电子版
    review_points = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    note = fields.String(load_default="")
    blank_fields = fields.List(fields.String(), load_default=list)  # labels on the blank form
    sample = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)  # label → sample value


class MaterialsFile(_Strict):
    materials = fields.List(fields.Nested(Material), required=True)


SCHEMAS = {"bundle.json": BundleFile, "questionnaire.json": QuestionnaireFile,
           "rules.json": RulesFile, "materials.json": MaterialsFile}


def field_spec(name: str, spec: dict) -> FieldSpec:
    """The bundle field as the forms package declares fields, so one schema builder serves both."""
    return FieldSpec(name, spec["type"], spec["label"], spec["required"],
                     constraints=dict(spec["constraints"]),
                     choices=tuple((c["value"], c["label"]) for c in spec["choices"]))


def load_files(documents: dict[str, object]) -> dict:
    """Check the four parsed JSON documents and their references to each other; returns the
    bundle's definition as one dict. InvalidInput names ``file.field`` for every problem."""
    out, problems = {}, {}
    for name in FILES:
        if name not in documents:
            problems[name] = ["missing"]
            continue
        try:
            out[name] = SCHEMAS[name]().load(documents[name])
        except ValidationError as exc:
            problems |= {f"{name}.{k}" if k != "_schema" else name: v for k, v in messages_from(exc).items()}
    if problems:
        raise InvalidInput("the bundle is invalid", fields=problems)
    problems = _cross_references(out)
    if problems:
        raise InvalidInput("the bundle is invalid", fields=problems)
    bundle = out["bundle.json"]
    return bundle | {"questions": out["questionnaire.json"]["questions"], "rules": out["rules.json"],
                     "materials": out["materials.json"]["materials"]}


def _cross_references(out: dict) -> dict:
    bundle, rules = out["bundle.json"], out["rules.json"]
    items = {i["code"] for i in bundle["items"]}
    materials = [m["code"] for m in out["materials.json"]["materials"]]
    questions = [q["id"] for q in out["questionnaire.json"]["questions"]]
    problems = {}
    if len(set(materials)) != len(materials):
        problems["materials.json.materials"] = ["material codes must be unique"]
    if len(set(questions)) != len(questions):
        problems["questionnaire.json.questions"] = ["question ids must be unique"]
    for n, rule in enumerate(rules["items"]):
        if rule["item"] not in items:
            problems[f"rules.json.items.{n}.item"] = [f"no item {rule['item']!r} in bundle.json"]
    for n, rule in enumerate(rules["materials"]):
        if rule["material"] not in materials:
            problems[f"rules.json.materials.{n}.material"] = [f"no material {rule['material']!r} in materials.json"]
    for rule in bundle["documents"]:
        if not re.fullmatch(r"[A-Za-z_][\w.-]*", rule["on"]):
            problems["bundle.json.documents"] = [f"{rule['on']!r} is not an element id"]
    return problems
