from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine import services
from engine.services import directory

from .schemas import OrgUnitIn, OrgUnitOut, PasswordIn, UserIn, UserOut, UserPatch, UserQuery
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


@blp.route("/users/<username>", methods=["GET"])
@blp.response(200, UserOut)
def get_user(username: str):
    return run(directory.get_user, username, g.user_id)


@blp.route("/users/<username>", methods=["PATCH"])
@blp.arguments(UserPatch)
@blp.response(200, UserOut)
@blp.alt_response(422, schema="ApiError", description="an admin may not disable themselves or drop their own admin role")
def update_user(changes: dict, username: str):
    """Disable or enable a user, change their display name, roles or org unit; audited as
    ``user.updated``. A disabled user's tokens stop working at once."""
    return run(directory.update_user, username, changes, g.user_id)


@blp.route("/users/<username>/password", methods=["POST"])
@blp.arguments(PasswordIn)
@blp.response(200, UserOut)
def set_password(body: dict, username: str):
    """An admin sets the password (at least 8 characters); audited as ``user.password_reset``."""
    return run(directory.set_password, username, body["password"], g.user_id)
