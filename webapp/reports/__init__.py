"""The supervision reports (通报: 日报, 周报, 月报) for leaders, supervisors and admins, each of
their own part of the city: choose a period, read its four lists of cases beside the KPI table
and charts, download it as a PDF; a leader or supervisor subscribes to the monthly one by
e-mail here. The services refuse (403) anyone else."""
from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.services import supervision_reports as reports
from engine.supervision_reports import NAMES
from notifications.supervision_report import (kpi_cell, kpi_headers, report_charts, report_lists, report_pdf,
                                              zh_or_en)

from ..auth import login_required
from ..calls import run
from ..i18n import current_language, name_of

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates",
               static_folder="static", static_url_path="/static")


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["civicflow"].settings.timezone)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """The periods to choose from; ``?kind=&period=`` (the form) opens that report."""
    choices = run(reports.report_index, g.user_id)
    kind = request.args.get("kind")
    if kind:
        period = request.args.get("period") or choices["recent"].get(kind, [""])[0]
        return redirect(url_for("reports.report", kind=kind, period=period or "-"))
    t = zh_or_en(current_language())
    return render_template("reports/index.html", recent=choices["recent"], subscription=choices["subscription"],
                           names={kind: t(*name) for kind, name in NAMES.items()})


@bp.route("/<kind>/<period>")
@login_required
def report(kind: str, period: str) -> ResponseReturnValue:
    data = run(reports.supervision_report, g.user_id, kind, period)
    t = zh_or_en(current_language())
    return render_template("reports/report.html", report=data, t=t, charts=report_charts(data, t),
                           lists=report_lists(data, t, _tz(), name_of), kpi_columns=kpi_headers(t), kpi_cell=kpi_cell)


@bp.route("/<kind>/<period>.pdf")
@login_required
def pdf(kind: str, period: str) -> ResponseReturnValue:
    data = run(reports.supervision_report, g.user_id, kind, period)
    document = report_pdf(data, _tz(), "en" if current_language() == "en" else "zh-CN")
    return send_file(io.BytesIO(document), mimetype="application/pdf",
                     download_name=f"supervision-report-{data['kind']}-{data['key']}.pdf")


@bp.route("/subscription", methods=["POST"])
@login_required
def subscription() -> ResponseReturnValue:
    """Subscribe to the monthly report by e-mail (monthly_report=1) or leave it (0)."""
    subscribed = request.form.get("monthly_report") == "1"
    state = run(reports.set_monthly_report, g.user_id, subscribed)
    if not state["subscribed"]:
        flash(gettext("You will no longer receive the monthly report by e-mail."), "success")
    elif state["email"]:
        flash(gettext("You will receive the monthly report by e-mail at %(email)s.", email=state["email"]), "success")
    else:
        flash(gettext("Subscribed, but your account has no e-mail address; ask an administrator to add one."),
              "warning")
    return redirect(url_for("reports.index"))
