"""平战切换 pages: the modes in force with the recent switches, and the switch form (a scope the
supervisor or leader oversees, the mode, a reason and a confirmation), at /supervise/command-mode.
Also the emergency banner every staff page shows (base.html includes supervise/_command_banner.html)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from engine.errors import Conflict, Forbidden, InvalidInput
from engine.services import command_mode

from ..calls import run
from ..errors import status_of
from . import bp
from .overrides import _refusal

REFUSED_IN_PLACE = (InvalidInput, Forbidden, Conflict)


def _page(errors: dict | None = None, status: int = 200):
    modes = run(command_mode.current, g.user_id)
    return render_template("supervise/command_mode.html", modes=modes, err=(errors or {}).get("switch"),
                           values=request.form if errors else {}), status


@bp.route("/command-mode")
def command_mode_page():
    return _page()


@bp.route("/command-mode", methods=["POST"])
def switch_command_mode():
    """A switch needs the confirmation box ticked: it reroutes every new case in the scope."""
    if request.form.get("confirm") != "yes":
        return _page({"switch": _refusal("confirm the switch", {"confirm": ["required"]})}, 400)
    try:
        run(command_mode.switch, g.user_id, request.form.get("mode"), request.form.get("scope_org_unit") or None,
            request.form.get("reason"))
    except REFUSED_IN_PLACE as exc:
        return _page({"switch": _refusal(exc.message, exc.fields)}, status_of(exc))
    flash(gettext("The command mode was switched; new cases follow it from now on."), "success")
    return redirect(url_for("supervise.command_mode_page"))


def command_banner() -> list[dict]:
    """The emergencies in force over the signed-in staff member's org units ([] signed out)."""
    return run(command_mode.banner, session["user_id"]) if "user_id" in session else []


@bp.app_context_processor
def _banner() -> dict:
    # the function, not its value: only pages that draw the frame (base.html) ask for it
    return {"command_banner": command_banner}
