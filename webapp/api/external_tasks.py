"""External tasks for department systems and IoT gateways (Camunda 7's external task API):
machine clients with role ``worker`` or ``sensor`` fetch-and-lock work by topic and report back."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine.services import external_tasks as service

from ..calls import run
from .external_schemas import (BpmnErrorIn, CompleteIn, ExtendLockIn, ExternalTaskOut, ExternalTaskQuery,
                               FailureIn, FailureOut, FetchAndLockIn, HandledOut, LockedTaskOut, LockOut)
from .security import require_token

PREFIX = "/external-tasks"
blp = Blueprint("api_external_tasks", __name__, description="External tasks: fetch-and-lock, complete, fail")
blp.before_request(require_token)


@blp.route("", methods=["GET"])
@blp.arguments(ExternalTaskQuery, location="query")
@blp.response(200, ExternalTaskOut(many=True))
def list_external_tasks(args: dict):
    """Admins: external tasks by ``topic``, ``case_id`` and ``state``, newest first."""
    return run(service.list_external_tasks, g.user_id, **args)


@blp.route("/fetch-and-lock", methods=["POST"])
@blp.arguments(FetchAndLockIn)
@blp.response(200, LockedTaskOut(many=True))
def fetch_and_lock(body: dict):
    """Lock up to ``max_tasks`` open tasks of the ``topics`` to ``worker_id``; an empty list when
    there is nothing to do (no long polling: poll again after a pause)."""
    return run(service.fetch_and_lock, g.user_id, body["worker_id"], body["max_tasks"], body["topics"])


@blp.route("/<int:task_id>/complete", methods=["POST"])
@blp.arguments(CompleteIn)
@blp.response(200, HandledOut)
def complete(body: dict, task_id: int):
    """Complete a task this worker has locked; ``variables`` go into the case data. 409 when the
    lock is another worker's (it expired and was fetched again) or the task is done."""
    return run(service.complete, g.user_id, task_id, body["worker_id"], body["variables"])


@blp.route("/<int:task_id>/failure", methods=["POST"])
@blp.arguments(FailureIn)
@blp.response(200, FailureOut)
def failure(body: dict, task_id: int):
    """Report a failed attempt; ``retries`` 0 opens an incident on the case."""
    return run(service.failure, g.user_id, task_id, body["worker_id"], body["error_message"],
               body["retries"], body["retry_timeout_ms"])


@blp.route("/<int:task_id>/bpmn-error", methods=["POST"])
@blp.arguments(BpmnErrorIn)
@blp.response(200, HandledOut)
def bpmn_error(body: dict, task_id: int):
    """Throw a BPMN error for an error boundary event to catch (uncaught: an incident)."""
    return run(service.bpmn_error, g.user_id, task_id, body["worker_id"], body["error_code"],
               body["variables"], body["error_message"])


@blp.route("/<int:task_id>/extend-lock", methods=["POST"])
@blp.arguments(ExtendLockIn)
@blp.response(200, LockOut)
def extend_lock(body: dict, task_id: int):
    return run(service.extend_lock, g.user_id, task_id, body["worker_id"], body["new_duration_ms"])
