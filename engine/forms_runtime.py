"""Validating task and start data against the form a diagram declares."""
from __future__ import annotations

from marshmallow import ValidationError

from forms import FormSchema, FormSpec, get_schema, messages_from, schema_from_spec

from . import expressions
from .errors import InvalidInput

MAX_FREE_KEYS = 200


def schema_for(form: FormSpec, owner) -> FormSchema | None:
    """The schema of a form; cached on the (immutable, per-definition) spec object ``owner``."""
    cached = getattr(owner, "_civicflow_schema", None)
    if cached is None:
        if form.key and get_schema(form.key) is not None:
            cached = get_schema(form.key)()
        elif form.fields:
            cached = schema_from_spec(form, name=f"Form_{getattr(owner, 'bpmn_id', 'start')}")()
        else:
            cached = False
        owner._civicflow_schema = cached
    return cached or None


def validate(form: FormSpec, owner, data: object) -> dict:
    """Checked, JSON-ready data (dates as ISO text) or InvalidInput naming each bad field."""
    if not isinstance(data, dict):
        raise InvalidInput("data must be an object", fields={"data": ["must be an object"]})
    schema = schema_for(form, owner)
    if schema is None:
        _check_free_data(data)
        return dict(data)
    try:
        clean = schema.dump(schema.load(data))
    except ValidationError as exc:
        raise InvalidInput("some fields are invalid", fields=messages_from(exc)) from exc
    _check_required_if(form, clean)
    return clean


def _check_required_if(form: FormSpec, clean: dict) -> None:
    """A field whose ``required_if`` property (an expression over the submitted form) holds
    must be given: e.g. void_reason when decision == 'void'."""
    seen = declared_defaults(form) | clean
    missing = {f.name: [f"required when {f.properties['required_if']}"] for f in form.fields
               if f.properties.get("required_if") and clean.get(f.name) in (None, "")
               and expressions.evaluate(f.properties["required_if"], seen)}
    if missing:
        raise InvalidInput("some fields are invalid", fields=missing)


def declared_defaults(form: FormSpec) -> dict:
    """Declared fields a submission left out read as their default (or None) in conditions, as
    in Camunda, so ``${department != null}`` works without the field being sent."""
    out = {}
    for f in form.fields:
        value = f.default
        if value is not None and f.type == "long":
            value = int(value)
        elif value is not None and f.type == "double":
            value = float(value)
        elif value is not None and f.type == "boolean":
            value = value.strip().lower() == "true"
        out[f.name] = value
    return out


def _check_free_data(data: dict) -> None:
    """Without a declared form, still refuse what could not be real form data."""
    bad = {k: ["field names must be identifiers"] for k in data
           if not (isinstance(k, str) and k.isidentifier() and not k.startswith("_"))}
    if len(data) > MAX_FREE_KEYS:
        bad["data"] = [f"at most {MAX_FREE_KEYS} fields"]
    if bad:
        raise InvalidInput("some fields are invalid", fields=bad)
