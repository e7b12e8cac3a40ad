"""The caseworker's inbox page (the web-app work completes the task pages)."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, session, url_for

from engine import services
from engine.services import calendar_admin

from ..auth import login_required
from ..calls import run

bp = Blueprint("inbox", __name__, template_folder="templates")


@bp.route("/")
@login_required
def index():
    tasks = run(services.list_tasks, g.user_id, scope="inbox", per_page=200)
    unconfirmed = []
    if "admin" in session.get("roles", []):
        unconfirmed = [y for y in run(calendar_admin.year_status) if y["status"] != "confirmed"]
    return render_template("inbox/index.html", tasks=tasks, unconfirmed_years=unconfirmed)


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int):
    run(services.claim_task, task_id, g.user_id)
    return redirect(url_for("inbox.index"))
