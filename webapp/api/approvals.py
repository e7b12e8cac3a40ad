"""Approval operations on a task (shared/API.md §Approval operations): 委派 delegate / resolve,
and 抄送 copies of a case with the reader's list of what was copied to them."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.services import copies, delegation
from forms import FormSchema

from ..calls import run
from .security import require_token

PREFIX = ""
blp = Blueprint("api_approvals", __name__, description="Approval operations: delegate, resolve, copy")
blp.before_request(require_token)

_NAME = fields.String(validate=validate.Length(min=1, max=64))


class DelegateIn(FormSchema):
    to_user = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ResolveIn(FormSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
    comment = fields.String(validate=validate.Length(max=2000), load_default=None)


class CopyIn(FormSchema):
    users = fields.List(_NAME, load_default=list, validate=validate.Length(max=100))
    org_units = fields.List(_NAME, load_default=list, validate=validate.Length(max=100))
    note = fields.String(validate=validate.Length(max=2000), load_default="")

    @validates_schema
    def _someone(self, body: dict, **_) -> None:
        if not body.get("users") and not body.get("org_units"):
            raise ValidationError("name users or org_units", "users")


class CopyQuery(FormSchema):
    unread = fields.Boolean(load_default=False)


class CopyOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    title = fields.String()
    note = fields.String()
    by = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


@blp.route("/tasks/<int:task_id>/delegate", methods=["POST"])
@blp.arguments(DelegateIn)
@blp.response(200)
def delegate(body: dict, task_id: int):
    """委派: ``to_user`` works the task and hands it back (``/resolve``); you stay its owner and
    complete it. 422 if they may not work it (a citizen, another role, yourself)."""
    return run(delegation.delegate, task_id, g.user_id, body["to_user"], body["reason"])


@blp.route("/tasks/<int:task_id>/resolve", methods=["POST"])
@blp.arguments(ResolveIn)
@blp.response(200)
def resolve(body: dict, task_id: int):
    """By the delegate: ``data`` (checked against the task's form) becomes the owner's draft."""
    return run(delegation.resolve, task_id, g.user_id, body["data"], body["comment"])


@blp.route("/tasks/<int:task_id>/cc", methods=["POST"])
@blp.arguments(CopyIn)
@blp.response(201)
def copy(body: dict, task_id: int):
    """抄送: ``users`` and/or ``org_units`` (codes) may read the case and are notified."""
    return run(copies.copy_case, task_id, g.user_id, users=body["users"], org_units=body["org_units"],
               note=body["note"])


@blp.route("/cc", methods=["GET"])
@blp.arguments(CopyQuery, location="query")
@blp.response(200, CopyOut(many=True))
def copied_to_me(args: dict):
    """What was copied to me or to my org units, newest first; ``unread=1``: not yet read."""
    return run(copies.list_copies, g.user_id, unread=args["unread"])


@blp.route("/cc/<int:copy_id>/read", methods=["POST"])
@blp.response(200, CopyOut)
def mark_read(copy_id: int):
    return run(copies.mark_read, copy_id, g.user_id)
