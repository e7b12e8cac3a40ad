"""Forms declared in a diagram (``camunda:formData``) turned into marshmallow schemas."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from marshmallow import fields, validate

from .base import AttachmentId, AttachmentIds, FormSchema

FIELD_TYPES = ("string", "long", "double", "boolean", "date", "enum", "attachment", "attachments")
CONSTRAINTS = ("required", "readonly", "min", "max", "minlength", "maxlength", "regex", "pattern")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str = ""
    required: bool = False
    readonly: bool = False
    default: str | None = None
    constraints: dict = field(default_factory=dict)
    choices: tuple = ()  # ((value, label), …) for enums
    properties: dict = field(default_factory=dict)  # camunda:properties: reason, required_if

    def problems(self) -> list[str]:
        """What is wrong with this declaration, checked at deploy time."""
        out = []
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.name or ""):
            out.append(f"field id {self.name!r} is not a valid name")
        if self.type not in FIELD_TYPES:
            out.append(f"field {self.name!r}: type {self.type!r} is not one of {', '.join(FIELD_TYPES)}")
        if self.type in ("attachment", "attachments") and set(self.constraints) - {"maxlength", "max"}:
            out.append(f"field {self.name!r}: an {self.type} field takes only required and maxlength")
        if self.type == "enum" and not self.choices:
            out.append(f"field {self.name!r}: an enum needs at least one value")
        for name, value in self.constraints.items():
            if name not in CONSTRAINTS:
                out.append(f"field {self.name!r}: unknown constraint {name!r}")
            elif name in ("regex", "pattern"):
                try:
                    re.compile(value)
                except re.error as exc:
                    out.append(f"field {self.name!r}: bad regex ({exc})")
            elif name in ("min", "max", "minlength", "maxlength"):
                try:
                    self._bound(value)
                except ValueError:
                    out.append(f"field {self.name!r}: {name} {value!r} is not a number or date")
        return out

    def _bound(self, value: str):
        if self.type == "date":
            return date.fromisoformat(value)
        return float(value) if self.type == "double" else int(value)


@dataclass(frozen=True)
class FormSpec:
    """A task's or start event's form: a registered ``key``, declared ``fields``, or both empty."""

    key: str | None = None
    fields: tuple[FieldSpec, ...] = ()

    def to_dict(self) -> dict:
        return {"key": self.key, "fields": [
            {"name": f.name, "type": f.type, "label": f.label, "required": f.required,
             "readonly": f.readonly, "default": f.default, "constraints": dict(f.constraints),
             "choices": [list(c) for c in f.choices], "properties": dict(f.properties)} for f in self.fields]}

    @classmethod
    def from_dict(cls, dct: dict) -> FormSpec:
        return cls(dct.get("key"), tuple(
            FieldSpec(f["name"], f["type"], f.get("label", ""), f.get("required", False),
                      f.get("readonly", False), f.get("default"), f.get("constraints", {}),
                      tuple(tuple(c) for c in f.get("choices", ())), f.get("properties", {})) for f in dct.get("fields", ())))


def _field(spec: FieldSpec) -> fields.Field:
    c = spec.constraints
    validators: list = []
    meta = {"label": spec.label or spec.name}
    required = {"required": spec.required and not spec.readonly, "allow_none": not spec.required, "metadata": meta}
    if spec.type == "attachment":
        return AttachmentId(**required)
    if spec.type == "attachments":  # maxlength counts files; a required list needs at least one
        most = c.get("maxlength", c.get("max"))
        return AttachmentIds(min_items=int(spec.required), **({"max_items": int(most)} if most else {}), **required)
    if spec.type == "enum":
        values = [v for v, _ in spec.choices]
        validators.append(validate.OneOf(values, labels=[lbl or v for v, lbl in spec.choices]))
        cls: type[fields.Field] = fields.String
    elif spec.type == "string":
        cls = fields.String
        lo, hi = c.get("minlength", c.get("min")), c.get("maxlength", c.get("max"))
        if lo is not None or hi is not None:
            validators.append(validate.Length(min=int(lo) if lo else None, max=int(hi) if hi else None))
        if c.get("regex") or c.get("pattern"):
            validators.append(validate.Regexp(c.get("regex") or c.get("pattern"),
                                              error="does not match the required format"))
    else:
        cls = {"long": fields.Integer, "double": fields.Float, "boolean": fields.Boolean,
               "date": fields.Date}[spec.type]
        lo, hi = c.get("min"), c.get("max")
        if lo is not None or hi is not None:
            validators.append(validate.Range(min=spec._bound(lo) if lo is not None else None,
                                             max=spec._bound(hi) if hi is not None else None))
    kwargs = {"strict": True} if cls is fields.Integer else {}
    return cls(validate=validators, **required, **kwargs)


def schema_from_spec(spec: FormSpec, name: str = "DeclaredForm") -> type[FormSchema]:
    """A schema class validating exactly the declared fields (readonly ones are refused as input)."""
    declared = {f.name: _field(f) for f in spec.fields if not f.readonly}
    return FormSchema.from_dict(declared, name=name)
