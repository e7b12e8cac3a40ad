"""The leaders' cockpit (领导驾驶舱) for leaders, supervisors and admins: today's tiles, the
overdue heat by district and category, the departments ranked on one KPI (/cockpit), and a
chart per KPI over days, weeks or months (/cockpit/trends), with the API's CSV and XLSX files.
Everyone else gets 403 from the services' own checks."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from engine.errors import InvalidInput
from engine.services import cockpit as service

from ..api import kpis as kpi_api
from ..calls import run
from . import figures

bp = Blueprint("cockpit", __name__, url_prefix="/cockpit", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.before_request
def _signed_in():
    if "user_id" not in session:
        return redirect(url_for("auth.login", next=request.path))
    g.user_id = session["user_id"]
    return None


def _date_arg(name: str) -> date | None:
    text = request.args.get(name) or None
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"{name} is not a date", fields={name: ["a date such as 2026-11-01"]}) from None


@bp.route("")
def overview():
    data = run(service.cockpit, g.user_id, request.args.get("unit") or None, request.args.get("kpi") or None)
    return render_template("cockpit/overview.html", data=data, heat=figures.heat_table(data["heat"]),
                           ranking_svg=figures.ranking_svg(data["ranking"], data["area"]),
                           kpi_choices=service.RANKED_KPIS, label=figures.kpi_label, shown=figures.shown)


@bp.route("/trends")
def trends():
    data = run(service.trends, g.user_id, request.args.get("unit") or None, request.args.get("period") or None,
               _date_arg("from"), _date_arg("to"))
    return render_template("cockpit/trends.html", data=data, charts=figures.trend_charts(data),
                           periods=service.TREND_PERIODS)


@bp.route("/kpis.<any(csv, xlsx):kind>")
def export(kind: str):
    """The API's own CSV or XLSX (GET /api/v1/kpis.csv, same arguments) for a signed-in browser,
    which cannot send the API's bearer token: the API view runs in this request, as this user."""
    return (kpi_api.table_csv if kind == "csv" else kpi_api.table_xlsx)()
