"""The working-day calendar (enter a holiday or 调休 day, confirm a year) and the time-limit table."""
from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from engine import services
from engine.errors import InvalidInput
from engine.services import calendar_admin

from ..calls import run
from . import bp
from .forms import Refused, attempt
from ..query_args import ascii_int


def _page(status: int = 200, refused=None, form: str = ""):
    return render_template("admin/calendar.html", years=run(calendar_admin.year_status),
                           limits=run(calendar_admin.list_time_limits, g.user_id),
                           refused=refused, refused_form=form, form=request.form), status


@bp.route("/calendar")
def calendar():
    return _page()


def _day() -> date:
    try:
        return date.fromisoformat(request.form.get("day", ""))
    except ValueError as exc:
        raise InvalidInput("not a date", fields={"day": ["a date such as 2027-10-01"]}) from exc


@bp.route("/calendar/days", methods=["POST"])
def set_day():
    try:
        entry = {"day": _day(), "working": request.form.get("working") == "1",
                 "note": request.form.get("note", "").strip()}
    except InvalidInput as exc:
        return _page(400, Refused(exc), "day")
    result, refused = attempt(services.set_days, [entry], g.user_id)
    if refused:
        return _page(refused.status, refused, "day")
    flash(gettext("Saved; %(n)s open deadlines recomputed.", n=result["recomputed_tasks"]), "success")
    return redirect(url_for("admin.calendar"))


@bp.route("/calendar/confirm", methods=["POST"])
def confirm_year():
    year = request.form.get("year", "")
    result, refused = attempt(services.confirm_year, ascii_int(year) or 0, g.user_id)
    if refused:
        return _page(refused.status, refused, "confirm")
    flash(gettext("%(year)s confirmed; %(n)s open deadlines recomputed.", year=result["year"],
                  n=result["recomputed_tasks"]), "success")
    return redirect(url_for("admin.calendar"))


@bp.route("/calendar/time-limits", methods=["POST"])
def set_time_limit():
    f = request.form
    _, refused = attempt(services.set_time_limit, g.user_id, f.get("process_key", "").strip(),
                         f.get("stage", "").strip(), f.get("limit", "").strip(), category=f.get("category", "").strip(),
                         urgency=f.get("urgency", "").strip(), note=f.get("note", "").strip())
    if refused:
        return _page(refused.status, refused, "limit")
    flash(gettext("Time limit saved; it applies to tasks opened from now on."), "success")
    return redirect(url_for("admin.calendar"))
