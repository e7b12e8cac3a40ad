"""CSRF protection for every server-rendered form, in one place (Flask-WTF's CSRFProtect).

The API under /api/ is exempt: it authenticates with bearer tokens, which a foreign page cannot
send. Templates put ``{{ csrf_field() }}`` inside each ``<form method="post">``; htmx requests
send the token as the ``X-CSRFToken`` header (base.html sets it from the meta tag).
"""
from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from markupsafe import Markup

from .errors import error_response
from .i18n import N_

FIELD_NAME = "csrf_token"  # Flask-WTF's default form field name
EXPIRED = N_("The page expired; reload and try again.")  # error.html shows it translated

csrf = CSRFProtect()


def csrf_field() -> Markup:
    """The hidden input a page form needs."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD_NAME, generate_csrf())


def init_csrf(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session, so a long form survives lunch
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, where /api/ is left out by path
    csrf.init_app(app)

    @app.before_request
    def _check() -> None:
        if app.config.get("WTF_CSRF_ENABLED", True) and not request.path.startswith("/api/"):
            csrf.protect(apply_exemptions=True)  # unsafe methods only; raises CSRFError

    @app.errorhandler(CSRFError)
    def _refused(_exc: CSRFError):
        return error_response(400, "csrf", EXPIRED)

    app.jinja_env.globals.update(csrf_field=csrf_field)
