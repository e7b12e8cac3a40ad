"""Signing in and out of the web pages (session cookie; the API uses bearer tokens)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from engine import services
from engine.errors import RateLimited, Unauthenticated
from engine.services.auth import profile

from ..calls import run

bp = Blueprint("auth", __name__, template_folder="templates")


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "user_id" not in session:
            return redirect(url_for("auth.login", next=request.path))
        g.user_id = session["user_id"]
        g.username = session.get("username")
        return view(*args, **kwargs)
    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            user = run(services.authenticate, request.form.get("username", ""),
                       request.form.get("password", ""), request.remote_addr or "")
        except RateLimited:
            error = gettext("Too many failed sign-ins; try again later.")
        except Unauthenticated:
            error = gettext("Wrong username or password.")
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in: no fixation
            # the header's names and role labels, read once: a role change shows at the next sign-in
            session.update(user_id=user["id"], username=user["username"], roles=user["roles"],
                           profile=run(profile, user["id"]))
            if lang:
                session["lang"] = lang
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    return render_template("auth/login.html", error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
