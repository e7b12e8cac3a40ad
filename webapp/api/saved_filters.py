"""Saved inbox filters (常用筛选): the signed-in user's own, by name."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine import services
from forms import FormSchema

from ..calls import run
from .security import require_token

PREFIX = "/saved-filters"
blp = Blueprint("api_saved_filters", __name__, description="Saved inbox filters, per user")
blp.before_request(require_token)


class SavedFilterIn(FormSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    query = fields.Dict(keys=fields.String(), load_default=dict,
                        metadata={"description": "list_tasks arguments: scope, process_key, category, district, "
                                                 "sla_state, due_today, overdue, sort"})


class SavedFilterOut(Schema):
    id = fields.Integer()
    name = fields.String()
    query = fields.Dict()
    created_at = fields.DateTime()


@blp.route("", methods=["GET"])
@blp.response(200, SavedFilterOut(many=True))
def list_filters():
    return run(services.list_saved_filters, g.user_id)


@blp.route("", methods=["POST"])
@blp.arguments(SavedFilterIn)
@blp.response(201, SavedFilterOut)
def save(body: dict):
    """Save under ``name``; a filter of the same name is replaced. A bad query is 400 per field."""
    return run(services.save_filter, g.user_id, body["name"], body["query"])


@blp.route("/<int:filter_id>", methods=["DELETE"])
@blp.response(204)
def delete(filter_id: int):
    run(services.delete_saved_filter, g.user_id, filter_id)
