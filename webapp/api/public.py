"""The public status of a case (办理过程公开): no token; the query code printed on the receipt
opens it, and a wrong code reads exactly like an unknown number."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.services.public import public_case

from ..calls import run

PREFIX = "/public"
blp = Blueprint("api_public", __name__, description="Public status of a case, by its number and query code")


class StatusQuery(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=12),
                         metadata={"description": "the query code printed on the receipt"})


class PublicStep(Schema):
    at = fields.DateTime()
    step = fields.String()
    department = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "open, completed or cancelled"})


class PublicCaseOut(Schema):
    number = fields.String()
    title = fields.String()
    process_name = fields.String()
    status = fields.String()
    current_step = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(PublicStep))


@blp.route("/cases/<number>", methods=["GET"])
@blp.doc(security=[])
@blp.arguments(StatusQuery, location="query")
@blp.response(200, PublicCaseOut)
def case_status(args: dict, number: str):
    """The step, the responsible department, the deadline and the steps so far: no names,
    phone numbers, notes or attachments. 404 for an unknown number or a wrong code."""
    return run(public_case, number, args["code"])
