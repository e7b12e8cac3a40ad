"""CSRF protection for the server-rendered pages (the API uses bearer tokens, not cookies)."""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup


def csrf_token() -> str:
    if "_csrf" not in session:
        session["_csrf"] = secrets.token_urlsafe(32)
    return session["_csrf"]


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="_csrf" value="{}">').format(csrf_token())


def init_csrf(app: Flask) -> None:
    @app.before_request
    def _check() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
            return
        sent = request.form.get("_csrf", "")
        if not sent or not hmac.compare_digest(sent, session.get("_csrf", "")):
            abort(400, description="CSRF token missing or wrong; reload the page and try again")

    app.jinja_env.globals.update(csrf_field=csrf_field)
