"""The one base schema, and the one place a ValidationError becomes per-field messages."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate


class FormSchema(Schema):
    """Unknown fields are refused: a typo in a field name must not be silently dropped."""

    class Meta:
        unknown = RAISE


class AttachmentId(fields.String):
    """The id of an upload (``POST /api/v1/attachments``). The form checks only its shape; the
    engine checks that it exists and is the user's to use, and links it to the case."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=validate.Length(min=1, max=64), **kwargs)


class AttachmentIds(fields.List):
    """A list of upload ids (several photos of one report): ``min_items`` to ``max_items``."""

    def __init__(self, min_items: int = 0, max_items: int = 50, **kwargs) -> None:
        super().__init__(AttachmentId(), validate=validate.Length(min=min_items, max=max_items), **kwargs)


def messages_from(error: ValidationError) -> dict[str, list[str]]:
    """Flatten marshmallow's messages into ``{field: [message, …]}`` for the API and the pages."""
    raw = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    out: dict[str, list[str]] = {}
    for name, msgs in raw.items():
        if isinstance(msgs, dict):  # nested: "field.sub"
            for sub, sub_msgs in messages_from(ValidationError(msgs)).items():
                out[f"{name}.{sub}"] = sub_msgs
        else:
            out[name] = [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
    return out


_TYPES = {AttachmentId: "attachment", AttachmentIds: "attachments", fields.Integer: "long", fields.Float: "double", fields.Boolean: "boolean",
          fields.Date: "date", fields.DateTime: "datetime", fields.String: "string",
          fields.List: "list", fields.Dict: "object", fields.Nested: "object"}


def describe(schema: Schema) -> list[dict]:
    """Field descriptions for a client to render the form: name, type, required, choices, label."""
    out = []
    for name, field in schema.fields.items():
        ftype = next((t for cls, t in _TYPES.items() if isinstance(field, cls)), "string")
        item = {"name": name, "type": ftype, "required": field.required,
                "label": field.metadata.get("label", name), "choices": [], "min": None, "max": None}
        for v in field.validators:
            if isinstance(v, validate.OneOf):
                labels = list(v.labels) if v.labels else [str(c) for c in v.choices]
                item["type"] = "enum"
                item["choices"] = [{"value": c, "label": lbl} for c, lbl in zip(v.choices, labels)]
            elif isinstance(v, (validate.Range, validate.Length)):
                item["min"], item["max"] = v.min, v.max
        out.append(item)
    return out
