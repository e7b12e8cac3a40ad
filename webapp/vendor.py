"""Front-end packages installed by ``npm ci`` into ``<repo>/node_modules``, served locally at
``/vendor/<package path>`` (no CDN): only the allowlisted built folders, never sources or
other packages. Without node_modules the app still starts; the files are then 404."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, send_from_directory
from flask.typing import ResponseReturnValue

# beside the checkout (make install); an installed package is told where: CIVICFLOW_NODE_MODULES
NODE_MODULES = Path(os.environ.get("CIVICFLOW_NODE_MODULES") or Path(__file__).resolve().parent.parent / "node_modules")
# A prefix ending in "/" allows a folder; otherwise exactly that file.
ALLOWED = ("bootstrap/dist/", "bootstrap-icons/font/", "htmx.org/dist/", "bpmn-js/dist/",
           "axe-core/axe.min.js", "swagger-ui-dist/", "leaflet/dist/")
ONE_YEAR_S = 365 * 24 * 3600  # versions are pinned in package-lock.json; a new version is a new deploy

bp = Blueprint("vendor", __name__)


def allowed(filename: str) -> bool:
    """True when ``filename`` lies inside the allowlist; ``..`` and absolute paths never do."""
    parts = filename.split("/")
    if filename.startswith("/") or "\\" in filename or any(p in ("", ".", "..") for p in parts):
        return False
    return any(filename == a or (a.endswith("/") and filename.startswith(a)) for a in ALLOWED)


@bp.route("/vendor/<path:filename>")
def file(filename: str) -> ResponseReturnValue:
    if not allowed(filename):
        abort(404)
    # send_from_directory refuses anything resolving outside NODE_MODULES and 404s a missing file
    return send_from_directory(NODE_MODULES, filename, max_age=ONE_YEAR_S)
