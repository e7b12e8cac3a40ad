"""加签 and 减签 on a task: more signers in parallel, before or after it; pending ones taken off."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields, validate

from engine.services import signers

from ..calls import run
from .schemas import ReasonIn
from .security import require_token

PREFIX = "/tasks"
blp = Blueprint("api_signers", __name__, description="Adding and removing signers (加签/减签)")
blp.before_request(require_token)

_USERS = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                     validate=validate.Length(min=1, max=50))


class RemoveSignersIn(ReasonIn):
    users = _USERS


class AddSignersIn(RemoveSignersIn):
    position = fields.String(required=True, validate=validate.OneOf(signers.POSITIONS))


@blp.route("/<int:task_id>/add-signers", methods=["POST"])
@blp.arguments(AddSignersIn)
@blp.response(200)
def add_signers(body: dict, task_id: int):
    """``parallel``: one more instance of the step's parallel round each; ``before``: they sign
    first while the step waits; ``after``: completing the step waits until they have signed."""
    return run(signers.add_signers, task_id, g.user_id, body["users"], body["position"], body["reason"])


@blp.route("/<int:task_id>/remove-signers", methods=["POST"])
@blp.arguments(RemoveSignersIn)
@blp.response(200)
def remove_signers(body: dict, task_id: int):
    """Pending signers only: 409 for one who already signed, 422 for the round's last one."""
    return run(signers.remove_signers, task_id, g.user_id, body["users"], body["reason"])
