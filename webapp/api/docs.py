"""/api/docs: the OpenAPI document in Swagger UI, served from our own /vendor/ files (no CDN)
and a static script (no inline code), so it works offline and under a strict CSP."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__, template_folder="templates")


@bp.route("/api/docs")
def swagger_ui() -> str:
    return render_template("api/docs.html")
