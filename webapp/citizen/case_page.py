"""A citizen's own case: its progress as the public sees it, what they submitted, their
documents, the departments' progress of a one-thing application, and the steps waiting for
them; a case they only follow shows its progress alone (engine/case_public.py)."""
from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from engine import services

from ..auth import login_required, signed_in_as_staff
from ..calls import run
from . import bp


@bp.route("/my/cases/<int:case_id>")
@login_required
def my_case(case_id: int) -> ResponseReturnValue:
    if signed_in_as_staff():  # staff work a case on its staff page
        return redirect(url_for("inbox.case", case_id=case_id))
    view = run(services.get_case, case_id, g.user_id)
    return render_template("citizen/my_case.html", view=view)
