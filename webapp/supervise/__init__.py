"""The supervision pages (督办) for supervisors and leaders: the warning/overdue board of their
subtree, every task in it, the escalated and discipline-referral lists, open incidents, and each
override with its reason (overrides.py). Everyone else gets 403 from the services' own checks."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from engine.services import incidents, oversight, supervision

from ..calls import run

bp = Blueprint("supervise", __name__, url_prefix="/supervise", template_folder="templates",
               static_folder="static", static_url_path="/static")
LIST_KINDS = ("escalation", "discipline", "extension", "urge")


@bp.before_request
def _overseers_only():
    """Every URL here, pages and forms alike: signed in, then a supervisor or leader (403)."""
    if "user_id" not in session:
        return redirect(url_for("auth.login", next=request.path))
    g.user_id, g.username = session["user_id"], session.get("username")
    g.rights = run(oversight.may_supervise, g.user_id)
    return None


@bp.route("/")
def board():
    matrix = run(oversight.sla_matrix, g.user_id)
    items = run(supervision.board, g.user_id)
    counts = {kind: sum(1 for i in items if i["kind"] == kind) for kind in LIST_KINDS}
    open_incidents = len(run(incidents.list_incidents, g.user_id)) if g.rights["may_see_incidents"] else None
    units = sorted({(r["org_unit"], r["org_unit_name"]) for r in matrix}, key=lambda u: u[0] or "")
    categories = sorted({r["category"] for r in matrix}, key=lambda c: c or "")
    category_names = {r["category"]: r["category_name"] for r in matrix}
    cells = {(r["org_unit"], r["category"]): r for r in matrix}
    return render_template("supervise/board.html", matrix=matrix, board_units=units, categories=categories,
                           category_names=category_names, cells=cells, counts=counts, open_incidents=open_incidents)


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return page_number(value)


@bp.route("/tasks")
def tasks():
    filters = {name: request.args.get(name) or None for name in ("sla", "org_unit", "category", "process_key")}
    if filters["sla"] not in (None, *oversight.SLA_STATES):
        filters["sla"] = None  # a hand-edited address: show everything rather than an error page
    listing = run(oversight.subtree_tasks, g.user_id, page=_page_arg(), per_page=50, **filters)
    return render_template("supervise/tasks.html", listing=listing, filters=filters)


@bp.route("/escalations")
def escalations():
    items = run(supervision.board, g.user_id)
    by_kind = {kind: [i for i in items if i["kind"] == kind] for kind in LIST_KINDS}
    return render_template("supervise/escalations.html", by_kind=by_kind)


@bp.route("/incidents")
def incident_list():
    return render_template("supervise/incidents.html", incidents=run(incidents.list_incidents, g.user_id))


from . import command_mode, overrides  # noqa: E402,F401  (register their routes on bp)
from ..query_args import page_number
