"""Who is calling: the bearer token's user, for every API endpoint but the token request."""
from __future__ import annotations

from flask import g, request

from engine.errors import Unauthenticated
from engine.services.auth import require_active

from ..calls import run
from ..tokens import user_id_from


def bearer_user_id() -> int:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token> (POST /api/v1/auth/token)")
    return run(require_active, user_id_from(token.strip()))  # a disabled user's token stops at once


def require_token() -> None:
    """Blueprint ``before_request`` hook: a missing or bad token is 401 before anything else."""
    g.user_id = bearer_user_id()
