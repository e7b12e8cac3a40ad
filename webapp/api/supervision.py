from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine.services import supervision
from engine.services.tasks import complete_task

from .schemas import (CompleteOut, ExtendIn, ExtensionDecisionIn, ForceCompleteIn, ReasonIn,
                      ReassignIn)
from ..calls import run
from .security import require_token

PREFIX = ""
blp = Blueprint("api_supervision", __name__, description="Supervisor overrides (督办), each with a reason")
blp.before_request(require_token)


def _case_action(name: str, service):
    @blp.route(f"/cases/<int:case_id>/{name}", methods=["POST"], endpoint=f"case_{name}")
    @blp.arguments(ReasonIn)
    @blp.response(200)
    def view(body: dict, case_id: int):
        return run(service, case_id, g.user_id, body["reason"])
    view.__doc__ = f"{name.capitalize()} the case (supervisors; writes an audit row)."
    return view


for _name, _service in (("suspend", supervision.suspend), ("resume", supervision.resume),
                        ("terminate", supervision.terminate), ("urge", supervision.urge)):
    _case_action(_name, _service)


@blp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
@blp.arguments(ReassignIn)
@blp.response(200)
def reassign(body: dict, task_id: int):
    """Supervisor: give the task to ``to_user`` or to ``to_org_unit``."""
    return run(supervision.reassign, task_id, g.user_id, body["reason"], to_user=body["to_user"],
               to_org_unit=body["to_org_unit"])


@blp.route("/tasks/<int:task_id>/extend", methods=["POST"])
@blp.arguments(ExtendIn)
@blp.response(200)
def extend(body: dict, task_id: int):
    """延期: a request by whoever works the task (pauses its clock), or a grant by a supervisor."""
    return run(supervision.extend, task_id, g.user_id, body["reason"], working_days=body["working_days"],
               until=body["until"])


@blp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@blp.arguments(ExtensionDecisionIn)
@blp.response(200)
def decide_extension(body: dict, task_id: int):
    """Supervisor: grant or refuse the pending extension request."""
    return run(supervision.decide_extension, task_id, g.user_id, body["decision"] == "grant", body["reason"])


@blp.route("/tasks/<int:task_id>/force-complete", methods=["POST"])
@blp.arguments(ForceCompleteIn)
@blp.response(200, CompleteOut)
def force_complete(body: dict, task_id: int):
    """Supervisor: complete a stuck task with ``data`` on someone's behalf."""
    return run(complete_task, task_id, body["data"], g.user_id, force_reason=body["reason"])


@blp.route("/supervision/board", methods=["GET"])
@blp.response(200)
def board():
    """Open escalations, urges and extension requests the caller oversees."""
    return run(supervision.board, g.user_id)
