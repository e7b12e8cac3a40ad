"""退回 targets and 撤回 (see shared/API.md §Approval operations); the return itself is
``POST /tasks/{id}/return`` in tasks.py, which takes ``ReturnIn``."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.services import handover, withdraw as withdrawal

from .schemas import ReasonIn
from ..calls import run
from .security import require_token

PREFIX = "/tasks"
blp = Blueprint("api_returns", __name__, description="Returning and withdrawing steps")
blp.before_request(require_token)


class ReturnIn(ReasonIn):
    to_element = fields.String(load_default=None, validate=validate.Length(min=1, max=128))


class ReturnTargetOut(Schema):
    element_id = fields.String()
    name = fields.String()
    completed_by = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


@blp.route("/<int:task_id>/return-targets", methods=["GET"])
@blp.response(200, ReturnTargetOut(many=True))
def return_targets(task_id: int):
    """The earlier human steps this task may be returned to, newest first."""
    return run(handover.return_targets, task_id, g.user_id)


@blp.route("/<int:task_id>/withdraw", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200)
def withdraw(body: dict, task_id: int):
    """撤回 on the next step's task, by whoever completed the step before it; 409 once anyone acted on it."""
    return run(withdrawal.withdraw, task_id, g.user_id, body["reason"])
