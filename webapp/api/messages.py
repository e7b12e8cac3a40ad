"""Messages and signals for department systems and IoT gateways (Camunda 7's correlation API):
staff and machine clients deliver a message to the case waiting for it, or throw a signal."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine.services import messages as service

from ..calls import run
from .message_schemas import MessageIn, MessageOut, SignalIn, SignalOut
from .security import require_token

PREFIX = ""
blp = Blueprint("api_messages", __name__, description="Messages and signals: wake waiting cases, start cases")
blp.before_request(require_token)


@blp.route("/messages", methods=["POST"])
@blp.arguments(MessageIn)
@blp.response(200, MessageOut)
def correlate(body: dict):
    """Deliver ``message_name`` to the one case waiting for it (narrowed by ``case_number``,
    ``business_key`` or ``correlation``), or to all of them with ``all``; a message start event
    starts a case when none waits (``started``). 404 no receiver, 409 more than one."""
    return run(service.correlate, g.user_id, body["message_name"], case_number=body["case_number"],
               business_key=body["business_key"], correlation=body["correlation"],
               variables=body["variables"], all=body["all"])


@blp.route("/signals", methods=["POST"])
@blp.arguments(SignalIn)
@blp.response(200, SignalOut)
def broadcast(body: dict):
    """Throw ``signal_name``: every waiting case catches it, every signal start starts a case."""
    return run(service.broadcast, g.user_id, body["signal_name"], body["variables"])
