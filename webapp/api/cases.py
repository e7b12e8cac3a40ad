from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine import services

from .schemas import CaseOut, CasePage, CaseQuery, CaseStart
from ..calls import run
from .security import require_token

PREFIX = "/cases"
blp = Blueprint("api_cases", __name__, description="Cases (工单): start, read, list")
blp.before_request(require_token)


@blp.route("", methods=["POST"])
@blp.arguments(CaseStart)
@blp.response(201, CaseOut)
def start(body: dict):
    """Start a case; ``data`` is validated against the process's start form. An optional
    ``business_key`` (the client's own reference) lets messages find the case later."""
    return run(services.start_case, body["process_key"], body["data"], g.user_id,
               business_key=body["business_key"])


@blp.route("", methods=["GET"])
@blp.arguments(CaseQuery, location="query")
@blp.response(200, CasePage)
def list_cases(args: dict):
    return run(services.list_cases, g.user_id, **args)


@blp.route("/<int:case_id>", methods=["GET"])
@blp.response(200, CaseOut)
def get_case(case_id: int):
    return run(services.get_case, case_id, g.user_id)
