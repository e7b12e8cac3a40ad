"""Read-only: the event loop's category catalogue and its deployed dispatch decision table."""
from __future__ import annotations

from flask import g, render_template

from engine.errors import NotFound
from engine.services import catalogue as engine_catalogue

from ..calls import run
from . import bp


@bp.route("/catalogue")
def catalogue():
    try:
        tables = run(engine_catalogue.decision_tables, g.user_id)
    except NotFound:
        tables = None  # the event loop is not deployed (yet): the page says so
    return render_template("admin/catalogue.html", catalogue=run(engine_catalogue.category_catalogue, g.user_id),
                           tables=tables)
