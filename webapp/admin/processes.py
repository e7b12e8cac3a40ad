"""Uploading diagrams (refusals shown against the elements), versions, their diagrams, and
retiring or activating a version with a reason."""
from __future__ import annotations

from itertools import groupby

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext

from engine import services
from engine.errors import DiagramInvalid, InvalidInput
from engine.services import definitions

from ..calls import run
from . import bp
from .forms import act


def _versions_by_key() -> list[tuple[str, list[dict]]]:
    rows = run(services.list_definitions, all_versions=True)  # ordered by key, newest version first
    return [(key, list(versions)) for key, versions in groupby(rows, key=lambda d: d["key"])]


def _page(status: int = 200, **context):
    return render_template("admin/processes.html", processes=_versions_by_key(), **context), status


@bp.route("/processes")
def processes():
    return _page()


def _uploaded() -> list[tuple[str, bytes]]:
    return [(f.filename or name, f.read()) for name in ("bpmn", "dmn")
            for f in request.files.getlist(name) if f.filename]


@bp.route("/processes", methods=["POST"])
def upload():
    files = _uploaded()
    if not any(name.lower().endswith((".bpmn", ".xml")) for name, _ in files):
        return _page(400, refusal={"message": gettext("Choose a .bpmn file to upload."), "fields": {}})
    try:
        definition, created = run(services.deploy, files, g.user_id)
    except DiagramInvalid as exc:
        bpmn_name, bpmn = next((n, b) for n, b in files if n.lower().endswith((".bpmn", ".xml")))
        # keys other than a file's name are element ids: the XML parsed, so the diagram can be drawn
        elements = [k for k in exc.fields if k != "file" and k != bpmn_name and not k.lower().endswith(".dmn")]
        return _page(400, refusal={"message": exc.message, "fields": exc.fields, "elements": elements,
                                   "xml": bpmn.decode("utf-8", "replace") if elements else None})
    except InvalidInput as exc:
        return _page(400, refusal={"message": exc.message, "fields": exc.fields})
    return redirect(url_for("admin.version", key=definition["key"], version=definition["version"],
                            created=int(created)))


@bp.route("/processes/<key>/<int:version>")
def version(key: str, version: int):
    shown = next((d for d in run(services.list_definitions, all_versions=True)
                  if d["key"] == key and d["version"] == version), None)
    xml = run(definitions.get_version_bpmn, key, version)  # NotFound for an unknown version
    return render_template("admin/version.html", definition=shown, xml=xml,
                           created=request.args.get("created"))


@bp.route("/processes/<key>/<int:version>/status", methods=["POST"])
def set_status(key: str, version: int):
    reason = request.form.get("reason", "")
    if request.form.get("action") == "activate":
        act(gettext("Version %(v)s is active again.", v=version), definitions.activate_version,
            key, version, reason, g.user_id)
    else:
        act(gettext("Version %(v)s is retired: it starts no new case.", v=version), definitions.retire_version,
            key, version, reason, g.user_id)
    return redirect(url_for("admin.version", key=key, version=version))
