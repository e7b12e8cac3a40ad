"""Keeping cases moving: incidents (retry, or resolve with a reason) and external-task topics."""
from __future__ import annotations

import json
from itertools import groupby

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.services import external_tasks, incidents

from ..calls import run
from . import bp
from .forms import act


@bp.route("/incidents")
def incidents_page():
    include_resolved = request.args.get("resolved") == "1"
    rows = run(incidents.list_incidents, g.user_id, include_resolved=include_resolved)
    return render_template("admin/incidents.html", incidents=rows, include_resolved=include_resolved)


def _variables() -> dict | None | str:
    text = request.form.get("variables", "").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text  # not JSON: the service refuses it as not an object, shown like any refusal


@bp.route("/incidents/<int:incident_id>/retry", methods=["POST"])
def retry_incident(incident_id: int):
    act(gettext("Incident %(id)s retried.", id=incident_id), incidents.retry_incident, incident_id, g.user_id,
        _variables())
    return redirect(url_for("admin.incidents_page"))


@bp.route("/incidents/<int:incident_id>/resolve", methods=["POST"])
def resolve_incident(incident_id: int):
    act(gettext("Incident %(id)s resolved: the step was skipped.", id=incident_id), incidents.resolve_incident,
        incident_id, g.user_id, request.form.get("reason", ""))
    return redirect(url_for("admin.incidents_page"))


@bp.route("/external-tasks")
def external_tasks_page():
    state = request.args.get("state") or None
    rows = sorted(run(external_tasks.list_external_tasks, g.user_id, state=state, per_page=500),
                  key=lambda r: r["topic_name"])
    topics = [(topic, list(items)) for topic, items in groupby(rows, key=lambda r: r["topic_name"])]
    return render_template("admin/external_tasks.html", topics=topics, state=state)
