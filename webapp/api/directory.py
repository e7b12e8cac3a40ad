from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine import services

from .schemas import OrgUnitIn, OrgUnitOut, UserIn, UserOut, UserQuery
from ..calls import run
from .security import require_token

PREFIX = ""
blp = Blueprint("api_directory", __name__, description="Users and org units (admin)")
blp.before_request(require_token)


@blp.route("/org-units", methods=["POST"])
@blp.arguments(OrgUnitIn)
@blp.response(201, OrgUnitOut)
def create_org_unit(body: dict):
    return run(services.create_org_unit, body["code"], body["name"], body["kind"], body["parent"],
               actor_id=g.user_id)


@blp.route("/org-units", methods=["GET"])
@blp.response(200, OrgUnitOut(many=True))
def org_units():
    return run(services.list_org_units)


@blp.route("/users", methods=["POST"])
@blp.arguments(UserIn)
@blp.response(201, UserOut)
def create_user(body: dict):
    return run(services.create_user, body["username"], body["password"], body["roles"],
               body["org_unit"], display_name=body["display_name"], actor_id=g.user_id)


@blp.route("/users", methods=["GET"])
@blp.arguments(UserQuery, location="query")
@blp.response(200, UserOut(many=True))
def users(args: dict):
    return run(services.list_users, g.user_id, role=args.get("role"), org_unit=args.get("org_unit"))
