from __future__ import annotations

from flask import Response, g, request
from flask_smorest import Blueprint

from engine import services
from engine.errors import InvalidInput
from engine.services import definitions

from .schemas import XML_TEXT, ProcessOut, ProcessQuery, ReasonIn, multipart_files
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
@blp.doc(requestBody=multipart_files("one .bpmn file, optionally .dmn files too, each as a `file` part", many=True))
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
@blp.response(200, XML_TEXT, content_type="application/xml", description="the latest active version's BPMN XML")
def get_bpmn(key: str):
    return Response(run(services.get_definition_bpmn, key), mimetype="application/xml")


@blp.route("/<key>/versions/<int:version>/bpmn", methods=["GET"])
@blp.response(200, XML_TEXT, content_type="application/xml", description="that version's BPMN XML")
def get_version_bpmn(key: str, version: int):
    """Any version's diagram, retired or not."""
    return Response(run(definitions.get_version_bpmn, key, version), mimetype="application/xml")


@blp.route("/<key>/versions/<int:version>/retire", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ProcessOut)
def retire(body: dict, key: str, version: int):
    """Admins: the version starts no new case; cases running on it go on. 409 if retired already."""
    return run(definitions.retire_version, key, version, body["reason"], g.user_id)


@blp.route("/<key>/versions/<int:version>/activate", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ProcessOut)
def activate(body: dict, key: str, version: int):
    """Admins: a retired version starts cases again (when it is the newest active one)."""
    return run(definitions.activate_version, key, version, body["reason"], g.user_id)
