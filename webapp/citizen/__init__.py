"""The citizen's pages: the cases they reported or applied for, each opening its case page
(read-only for them). The citizen portal issue grows this into reporting and applying."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from engine import services

from ..auth import login_required
from ..calls import run

bp = Blueprint("citizen", __name__, template_folder="templates")
PER_PAGE = 20


@bp.route("/my")
@login_required
def my_cases():
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    cases = run(services.list_cases, g.user_id, page=page, per_page=PER_PAGE)
    return render_template("citizen/my_cases.html", cases=cases)
