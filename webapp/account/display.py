"""The large-text, high-contrast mode (适老化): a switch in every page's header, kept in the
session for anyone and remembered on the account of a signed-in user."""
from __future__ import annotations

from flask import redirect, request, session
from flask.typing import ResponseReturnValue

from engine.services.auth import set_large_text

from ..calls import run
from . import bp


@bp.route("/account/large-text", methods=["POST"])
def large_text() -> ResponseReturnValue:
    on = request.form.get("on") == "1"
    session["large_text"] = on
    if "user_id" in session:
        run(set_large_text, session["user_id"], on)
    back = request.form.get("next", "/")
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/")
