"""The admin console at /admin: diagrams and versions, users and org units, the calendar and
time limits, the catalogue and dispatch table, incidents, external tasks and the audit check.
Admins only: everyone else signed in gets 403. Each page calls the same engine services as the
API, which check the admin role again."""
from __future__ import annotations

from flask import Blueprint, g, redirect, request, session, url_for

from engine.errors import Forbidden

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
def _admins_only():
    if "user_id" not in session:
        return redirect(url_for("auth.login", next=request.path))
    g.user_id, g.username = session["user_id"], session.get("username")
    if "admin" not in session.get("roles", []):
        raise Forbidden("the admin console is for admins")
    return None


from . import calendar, catalogue, home, notifications, operations, org_units, processes, users  # noqa: E402,F401
