"""Signing in and out of the web pages (session cookie; the API uses bearer tokens)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from engine import services
from engine.errors import InvalidInput, RateLimited, Unauthenticated
from engine.services.auth import end_session, open_session, profile, session_valid
from engine.services.registration import register as register_account, request_code

from ..calls import run

bp = Blueprint("auth", __name__, template_folder="templates")


def signed_in_as_staff() -> bool:
    """Whether the session's user holds any role but citizen: the pages a case and a task have
    for staff and for the citizen whose they are differ (engine/permissions.is_staff)."""
    return any(r != "citizen" for r in session.get("roles", []))


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "user_id" not in session:  # back to the same page, its query too (a guide's answers)
            return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
        g.user_id = session["user_id"]
        g.username = session.get("username")
        return view(*args, **kwargs)
    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        try:
            user = run(services.authenticate, request.form.get("username", ""),
                       request.form.get("password", ""), request.remote_addr or "")
        except RateLimited:
            error, status = gettext("Too many failed sign-ins; try again later."), 429
        except Unauthenticated:
            error, status = gettext("Wrong username or password."), 401
        else:
            _start_session(user)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    return render_template("auth/login.html", error=error), status


@bp.before_app_request
def _forget_ended_session() -> None:
    """A cookie whose session was ended (signed out elsewhere, user disabled) signs no one in."""
    if "user_id" in session and not run(session_valid, session.get("sid"), session["user_id"]):
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang


def _start_session(user: dict) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session on sign-in: no fixation
    # the header's names and role labels, read once: a role change shows at the next sign-in
    session.update(user_id=user["id"], username=user["username"], roles=user["roles"],
                   profile=run(profile, user["id"]), sid=run(open_session, user["id"], request.remote_addr or ""))
    session["large_text"] = session["profile"]["large_text"]
    if lang:
        session["lang"] = lang


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Self-registration: "send me a code" and "create my account" post the same form, so that
    it works without JavaScript and keeps what was typed."""
    values = {k: request.form.get(k, "") for k in ("phone", "code", "display_name", "kind", "organisation",
                                                    "credit_code")}
    values["kind"] = values["kind"] or "personal"
    problems, sent, problem = {}, None, None
    if request.method == "POST":
        try:
            if request.form.get("action") == "send":
                sent = run(request_code, values["phone"], request.remote_addr or "")
            else:
                user = run(register_account, values | {"password": request.form.get("password", "")})
                _start_session(user)
                return redirect(url_for("citizen.my_cases"))
        except InvalidInput as exc:
            problems = exc.fields
        except RateLimited as exc:
            problem = gettext(str(exc))
    status = 400 if problems else 429 if problem else 200
    return render_template("auth/register.html", values=values, problems=problems, sent=sent, problem=problem), status


@bp.route("/logout", methods=["POST"])
def logout():
    run(end_session, session.get("sid"))
    session.clear()
    return redirect(url_for("auth.login"))
