from __future__ import annotations

from flask import Response, g, request
from flask_smorest import Blueprint

from engine import services
from engine.errors import InvalidInput

from .schemas import ProcessOut, ProcessQuery
from ..calls import run
from .security import require_token

PREFIX = "/processes"
blp = Blueprint("api_processes", __name__, description="Process definitions (admin uploads)")
blp.before_request(require_token)


@blp.route("", methods=["GET"])
@blp.arguments(ProcessQuery, location="query")
@blp.response(200, ProcessOut(many=True))
def list_processes(args: dict):
    """Latest active version of each process; ``?all=1`` lists every version."""
    return run(services.list_definitions, all_versions=args["all"])


@blp.route("", methods=["POST"])
@blp.response(201, ProcessOut)
@blp.alt_response(200, schema=ProcessOut, description="the same bytes again: the existing version")
def deploy():
    """Upload ``file`` (one .bpmn, optionally .dmn files too), multipart/form-data."""
    files = [(f.filename or name, f.read()) for name in request.files for f in request.files.getlist(name)]
    if not files:
        raise InvalidInput("no file uploaded", fields={"file": ["upload a .bpmn file as 'file'"]})
    definition, created = run(services.deploy, files, g.user_id)
    return definition, 201 if created else 200


@blp.route("/<key>", methods=["GET"])
@blp.response(200, ProcessOut)
def get_process(key: str):
    return run(services.get_definition, key)


@blp.route("/<key>/bpmn", methods=["GET"])
def get_bpmn(key: str):
    return Response(run(services.get_definition_bpmn, key), mimetype="application/xml")
