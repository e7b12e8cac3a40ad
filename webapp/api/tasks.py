from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine import services

from engine.services import handover

from .returns import ReturnIn
from .schemas import CompleteOut, ReassignIn, TaskComplete, TaskDetail, TaskOut, TaskQuery
from ..calls import run
from .security import require_token

PREFIX = "/tasks"
blp = Blueprint("api_tasks", __name__, description="The task inbox")
blp.before_request(require_token)


@blp.route("", methods=["GET"])
@blp.arguments(TaskQuery, location="query")
@blp.response(200, TaskOut(many=True))
def list_tasks(args: dict):
    """``scope``: mine (claimed by me), group (unclaimed, I am a candidate), inbox (both, the
    default), all (supervisors, leaders, admins: everything they oversee)."""
    return run(services.list_tasks, g.user_id, **args)


@blp.route("/<int:task_id>", methods=["GET"])
@blp.response(200, TaskDetail)
def get_task(task_id: int):
    return run(services.get_task, task_id, g.user_id)


@blp.route("/<int:task_id>/claim", methods=["POST"])
@blp.response(200, TaskOut)
def claim(task_id: int):
    return run(services.claim_task, task_id, g.user_id)


@blp.route("/<int:task_id>/unclaim", methods=["POST"])
@blp.response(200, TaskOut)
def unclaim(task_id: int):
    return run(services.unclaim_task, task_id, g.user_id)


@blp.route("/<int:task_id>/complete", methods=["POST"])
@blp.arguments(TaskComplete)
@blp.response(200, CompleteOut)
def complete(body: dict, task_id: int):
    """Complete with ``data`` (validated against the task's form). 409 if no longer open or if
    ``case_version`` is given and stale."""
    return run(services.complete_task, task_id, body["data"], g.user_id,
               expected_version=body.get("case_version"), comment=body["comment"])


@blp.route("/<int:task_id>/transfer", methods=["POST"])
@blp.arguments(ReassignIn)
@blp.response(200)
def transfer(body: dict, task_id: int):
    """转办: to a colleague who is also a candidate (``to_user``) or to ``to_org_unit``."""
    return run(handover.transfer, task_id, g.user_id, body["reason"], to_user=body["to_user"],
               to_org_unit=body["to_org_unit"])


@blp.route("/<int:task_id>/return", methods=["POST"])
@blp.arguments(ReturnIn)
@blp.response(200)
def return_(body: dict, task_id: int):
    """退回: reopen an earlier human step (``to_element``, one of the return targets; default the
    previous one). 422 if it is not a target."""
    return run(handover.return_task, task_id, g.user_id, body["reason"], to_element=body["to_element"])
