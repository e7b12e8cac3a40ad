"""Pages anyone may open without an account: a case's progress by its number and query code
(办理过程公开), the target of the QR code on every 受理回执."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.errors import NotFound
from engine.services.public import public_case

from ..calls import run

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/status")
def lookup() -> ResponseReturnValue:
    """The form; with both fields filled in, the case's page."""
    number, code = request.args.get("number", "").strip(), request.args.get("code", "").strip()
    if number and code:
        return redirect(url_for("public.status", number=number[:20], code=code[:12]))
    return render_template("public/lookup.html", number=number, code=code, error=None)


@bp.route("/status/<number>")
def status(number: str) -> ResponseReturnValue:
    code = request.args.get("code", "")
    try:
        view = run(public_case, number, code)
    except NotFound:
        error = gettext("No case matches this number and query code. Check both and try again.")
        return render_template("public/lookup.html", number=number[:20], code=code[:12], error=error), 404
    return render_template("public/status.html", view=view)
