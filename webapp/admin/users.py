"""Users: list and filter, create, change roles / org unit / name, disable and enable, and set a
new password. Every change goes through engine.services.directory and is audited there."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext

from engine import services
from engine.models import ROLES
from engine.services import directory

from ..calls import run
from . import bp
from .forms import act, attempt


def flat_units(nodes: list[dict], depth: int = 0) -> list[tuple[int, dict]]:
    """The tree as (depth, unit) in display order, for an indented <select>."""
    out = []
    for node in nodes:
        out.append((depth, node))
        out += flat_units(node["children"], depth + 1)
    return out


def _list_page(status: int = 200, refused=None):
    role, unit = request.args.get("role") or None, request.args.get("org_unit") or None
    users, refused_filter = attempt(services.list_users, g.user_id, role=role, org_unit=unit)
    return render_template("admin/users.html", users=users or [], role_labels=ROLES,
                           units=flat_units(run(services.list_org_units)), role=role, org_unit=unit,
                           refused=refused, refused_filter=refused_filter, form=request.form), status


@bp.route("/users")
def users():
    return _list_page()


@bp.route("/users", methods=["POST"])
def create_user():
    f = request.form
    created, refused = attempt(services.create_user, f.get("username", "").strip(), f.get("password", ""),
                               f.getlist("roles"), f.get("org_unit") or None,
                               display_name=f.get("display_name", "").strip(), actor_id=g.user_id)
    if refused:
        return _list_page(refused.status, refused)
    return redirect(url_for("admin.user", username=created["username"], created=1))


def _user_page(username: str, status: int = 200, refused=None):
    user = run(directory.get_user, username, g.user_id)  # NotFound for an unknown name
    return render_template("admin/user.html", user=user, role_labels=ROLES, units=flat_units(run(services.list_org_units)),
                           refused=refused, created=request.args.get("created")), status


@bp.route("/users/<username>")
def user(username: str):
    return _user_page(username)


@bp.route("/users/<username>", methods=["POST"])
def update_user(username: str):
    f = request.form
    changes = {"display_name": f.get("display_name", ""), "roles": f.getlist("roles"),
               "org_unit": f.get("org_unit") or None}
    _, refused = attempt(directory.update_user, username, changes, g.user_id)
    if refused:
        return _user_page(username, refused.status, refused)
    return redirect(url_for("admin.user", username=username, saved=1))


@bp.route("/users/<username>/active", methods=["POST"])
def set_active(username: str):
    active = request.form.get("active") == "1"
    act(gettext("Enabled: the user may sign in.") if active else gettext("Disabled: the user can no longer sign in."),
        directory.update_user, username, {"active": active}, g.user_id)
    return redirect(url_for("admin.user", username=username))


@bp.route("/users/<username>/password", methods=["POST"])
def reset_password(username: str):
    _, refused = attempt(directory.set_password, username, request.form.get("password", ""), g.user_id)
    if refused:
        return _user_page(username, refused.status, refused)
    return redirect(url_for("admin.user", username=username, password_set=1))
