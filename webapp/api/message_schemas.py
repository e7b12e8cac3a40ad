"""Request and response schemas of the message and signal API (Camunda 7's, in snake_case)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from forms import FormSchema


def _name() -> fields.Field:
    return fields.String(required=True, validate=validate.Length(min=1, max=200))


def _values() -> fields.Field:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=128)), load_default=dict)


class MessageIn(FormSchema):
    message_name = _name()
    case_number = fields.String(validate=validate.Length(min=1, max=20), load_default=None)
    business_key = fields.String(validate=validate.Length(min=1, max=128), load_default=None)
    correlation = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=128)), load_default=None)
    variables = _values()
    all = fields.Boolean(load_default=False)

    @validates_schema
    def _correlation_not_empty(self, data: dict, **_) -> None:
        if data.get("correlation") == {}:
            raise ValidationError("name at least one variable, or leave correlation out", "correlation")


class MessageOut(Schema):
    case_id = fields.Integer()
    started = fields.Boolean()
    delivered = fields.Integer()
    case_ids = fields.List(fields.Integer())


class SignalIn(FormSchema):
    signal_name = _name()
    variables = _values()


class SignalOut(Schema):
    delivered = fields.Integer()
