"""The citizen's pages: the cases they reported or applied for, each opening its case page
(read-only for them). The citizen portal issue grows this into reporting and applying."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from engine import services

from ..auth import login_required
from ..calls import run
from ..query_args import page_number

bp = Blueprint("citizen", __name__, template_folder="templates")
PER_PAGE = 20


@bp.route("/my")
@login_required
def my_cases():
    page = page_number(request.args.get("page"))
    cases = run(services.list_cases, g.user_id, page=page, per_page=PER_PAGE)
    return render_template("citizen/my_cases.html", cases=cases)
from . import case_page  # noqa: E402,F401  (its routes are on bp)
from . import report  # noqa: E402,F401
from . import uploads  # noqa: E402,F401
from . import apply, application, steps  # noqa: E402,F401  (一件事一次办 and the citizen's steps)
