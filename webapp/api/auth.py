from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from engine import services

from ..tokens import issue
from .schemas import TokenRequest, TokenResponse
from ..calls import run

PREFIX = "/auth"
blp = Blueprint("api_auth", __name__, description="Bearer tokens")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(200, TokenResponse)
@blp.doc(security=[])
def token(body: dict):
    """Exchange a username and password for a bearer token (failures are rate-limited: 429)."""
    user = run(services.authenticate, body["username"], body["password"], request.remote_addr or "")
    tok, expires_at = issue(user["id"])
    return {"token": tok, "expires_at": expires_at,
            "user": {"username": user["username"], "roles": user["roles"]}}
