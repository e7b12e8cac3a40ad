"""平战切换: the modes in force and switching the city or one district (leaders and supervisors)."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.models.command_mode import MODES
from engine.services import command_mode
from forms import FormSchema

from ..calls import run
from .security import require_token

PREFIX = "/command-mode"
blp = Blueprint("api_command_mode", __name__, description="Normal and emergency command mode (平战切换)")
blp.before_request(require_token)


class SwitchIn(FormSchema):
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    scope_org_unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                                   metadata={"description": "a district's code; absent or null: the whole city"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=command_mode.MAX_REASON))


class ModeOut(Schema):
    mode = fields.String()
    scope_org_unit = fields.String(allow_none=True)
    scope_name = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    switched_by = fields.String(allow_none=True)
    switched_at = fields.DateTime(allow_none=True)


class ScopeOut(Schema):
    scope_org_unit = fields.String(allow_none=True)
    scope_name = fields.String(allow_none=True)
    mode = fields.String()


class ModesOut(Schema):
    city = fields.Nested(ModeOut)
    districts = fields.List(fields.Nested(ModeOut), metadata={"description": "districts with their own later switch"})
    history = fields.List(fields.Nested(ModeOut), metadata={"description": "the latest switches, newest first"})
    scopes = fields.List(fields.Nested(ScopeOut), metadata={"description": "what the caller may switch"})


class SwitchOut(ModeOut):
    id = fields.Integer()
    notified = fields.Integer(metadata={"description": "how many staff were notified"})


@blp.route("", methods=["GET"])
@blp.response(200, ModesOut)
def current():
    """The city's mode, each district with its own switch, and the recent switches, within what
    the caller oversees."""
    return run(command_mode.current, g.user_id)


@blp.route("", methods=["POST"])
@blp.arguments(SwitchIn)
@blp.response(201, SwitchOut)
def switch(body: dict):
    """Switch for new cases from now on; audited and notified. 403 outside the caller's subtree,
    409 when that mode is already in force there."""
    return run(command_mode.switch, g.user_id, body["mode"], body["scope_org_unit"], body["reason"])
