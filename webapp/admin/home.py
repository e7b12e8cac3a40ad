"""The console's start page and the audit-trail check."""
from __future__ import annotations

from flask import g, render_template

from engine.services import calendar_admin
from engine.services.audit_check import verify_audit

from ..calls import run
from . import bp


@bp.route("")
@bp.route("/")
def index():
    unconfirmed = [y for y in run(calendar_admin.year_status) if y["status"] != "confirmed"]
    return render_template("admin/index.html", unconfirmed_years=unconfirmed)


@bp.route("/audit")
def audit():
    """Walks the whole chain on each visit: the check is the point of the page."""
    return render_template("admin/audit.html", result=run(verify_audit, g.user_id))
