"""Incidents (Camunda Cockpit's idea): what stopped a case, and the admin's retry or resolve."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine.services import incidents

from .schemas import ReasonIn, record_id
from ..calls import run
from .security import require_token

PREFIX = "/incidents"
blp = Blueprint("api_incidents", __name__, description="Incidents: failed steps, retried or resolved by admins")
blp.before_request(require_token)


class IncidentOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String(allow_none=True)
    element_id = fields.String()
    kind = fields.String()
    message = fields.String()
    attempts = fields.Integer()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolution = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class IncidentQuery(Schema):
    case_id = record_id(load_default=None)
    include_resolved = fields.Boolean(load_default=False)


class RetryIn(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=None)


@blp.route("", methods=["GET"])
@blp.arguments(IncidentQuery, location="query")
@blp.response(200, IncidentOut(many=True))
def list_incidents(args: dict):
    """Open incidents (admins: all; supervisors: the cases in their subtree)."""
    return run(incidents.list_incidents, g.user_id, **args)


@blp.route("/<int:incident_id>/retry", methods=["POST"])
@blp.arguments(RetryIn)
@blp.response(200, IncidentOut)
def retry(body: dict, incident_id: int):
    """Run the failed element again, with ``variables`` merged into its data first."""
    return run(incidents.retry_incident, incident_id, g.user_id, variables=body["variables"])


@blp.route("/<int:incident_id>/resolve", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, IncidentOut)
def resolve(body: dict, incident_id: int):
    """The work was done by other means: skip the element (``reason`` required)."""
    return run(incidents.resolve_incident, incident_id, g.user_id, body["reason"])
