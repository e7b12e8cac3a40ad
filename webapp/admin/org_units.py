"""The org-unit tree (city → district → street → community → grid, and departments) and adding a unit."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from engine import services
from engine.models import ORG_KINDS

from ..calls import run
from . import bp
from .forms import attempt
from .users import flat_units


def _page(status: int = 200, refused=None):
    tree = run(services.list_org_units)
    return render_template("admin/org_units.html", tree=tree, units=flat_units(tree), kinds=ORG_KINDS,
                           refused=refused, form=request.form), status


@bp.route("/org-units")
def org_units():
    return _page()


@bp.route("/org-units", methods=["POST"])
def create_org_unit():
    f = request.form
    _, refused = attempt(services.create_org_unit, f.get("code", "").strip(), f.get("name", "").strip(),
                         f.get("kind", ""), f.get("parent") or None, g.user_id)
    if refused:
        return _page(refused.status, refused)
    return redirect(url_for("admin.org_units", created=f.get("code", "").strip()))
