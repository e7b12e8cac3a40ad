"""Bearer tokens for the API: signed, expiring, naming the user; no server-side session state,
so any worker on any machine accepts them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine.errors import Unauthenticated

_SALT = "civicflow-api-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue(user_id: int) -> tuple[str, datetime]:
    ttl = current_app.config["TOKEN_TTL_S"]
    return _serializer().dumps({"uid": user_id}), datetime.now(timezone.utc) + timedelta(seconds=ttl)


def user_id_from(token: str) -> int:
    try:
        payload = _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_S"])
    except SignatureExpired as exc:
        raise Unauthenticated("the token has expired; request a new one") from exc
    except BadSignature as exc:
        raise Unauthenticated("invalid token") from exc
    return int(payload["uid"])
