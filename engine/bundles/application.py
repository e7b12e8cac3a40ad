"""一表申请: checking an application to a bundle (answers, the one form, materials by code) and
turning it into the case's data the diagram runs on: the applicable items to approve in
parallel, the materials given, and what the bundle's rules computed (秒批, the subsidy)."""
from __future__ import annotations

from marshmallow import ValidationError

from forms import FormSpec, messages_from, schema_from_spec

from .. import expressions
from ..errors import InvalidInput, ProcessRefusal
from . import guide
from .spec import field_spec

APPLICATION_KEYS = ("answers", "form", "attachments")


def form_schema(definition: dict, items: list[dict]):
    """The marshmallow schema of the one form for these items."""
    spec = FormSpec(fields=tuple(field_spec(n, f) for n, f in guide.form_fields(definition, items)))
    return schema_from_spec(spec, name=f"Bundle_{definition['key']}")()


def _check_form(definition: dict, items: list[dict], form: object) -> dict:
    if not isinstance(form, dict):
        raise InvalidInput("form must be an object", fields={"form": ["must be an object"]})
    schema = form_schema(definition, items)
    try:
        return schema.dump(schema.load(form))
    except ValidationError as exc:
        raise InvalidInput("some fields are invalid",
                           fields={f"form.{k}": v for k, v in messages_from(exc).items()}) from exc


def _check_materials(materials: list[dict], given: object) -> dict[str, list[str]]:
    """Material code → attachment ids; every required material given, no foreign codes."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise InvalidInput("attachments must be an object", fields={"attachments": ["material code → ids"]})
    codes = {m["code"]: m for m in materials}
    problems = {}
    for code, ids in given.items():
        if code not in codes:
            problems[f"attachments.{code}"] = ["not a material these answers call for"]
        elif not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            problems[f"attachments.{code}"] = ["a list of attachment ids"]
    for code, material in codes.items():
        if material["required"] and not given.get(code):
            problems[f"attachments.{code}"] = [f"attach {material['name']}"]
    if problems:
        raise InvalidInput("some materials are missing or invalid", fields=problems)
    return {code: list(dict.fromkeys(ids)) for code, ids in given.items() if ids}


def _computed(definition: dict, scope: dict) -> dict:
    out = {}
    if definition["instant"]:
        out["instant_approved"] = bool(expressions.evaluate(definition["instant"], scope))
    if definition["subsidy"]:
        amount = expressions.evaluate(definition["subsidy"], scope)
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            raise ProcessRefusal("the subsidy rule did not give an amount", fields={"form": [str(amount)]})
        out["subsidy_amount"] = round(float(amount), 2)
    return out


def case_items(definition: dict, items: list[dict]) -> list[dict]:
    names = guide.department_names(definition)
    return [{"code": i["code"], "name": i["name"], "department": i["department"],
             "department_name": names.get(i["department"], i["department"]),
             "time_limit": i["time_limit"], "fee": i["fee"]} for i in items]


def application_data(definition: dict, data: object, applicant, *, channel: str = "application") -> dict:
    """The case data of a checked application, or InvalidInput naming every bad part
    (``answers.q``, ``form.field``, ``attachments.code``). Attachment ids are checked by the caller,
    who has the database."""
    if not isinstance(data, dict):
        raise InvalidInput("data must be an object", fields={"data": ["must be an object"]})
    extra = [k for k in data if k not in APPLICATION_KEYS]
    if extra:
        raise InvalidInput("unknown parts of the application", fields={k: ["unknown"] for k in extra})
    answers = guide.check_answers(definition, data.get("answers", {}))
    items = guide.applicable_items(definition, answers)
    if not items:
        raise ProcessRefusal("none of the bundle's items applies to these answers", fields={"answers": ["no item applies"]})
    materials = guide.applicable_materials(definition, answers)
    form = _check_form(definition, items, data.get("form", {}))
    attachments = _check_materials(materials, data.get("attachments"))
    scope = answers | form | {"answers": answers, "form": form}
    name = applicant.display_name or applicant.username
    return {"bundle": definition["key"], "channel": channel, "answers": answers, "form": form,
            "attachments": attachments, "items": case_items(definition, items),
            "materials": [m["code"] for m in materials], "applicant": applicant.username,
            "applicant_name": name, "title": f"{definition['name']}·{name}"} | _computed(definition, scope)
