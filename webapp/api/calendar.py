from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from engine.services import calendar_admin

from .schemas import CalendarAddQuery, CalendarDaysIn, ConfirmYearIn, TimeLimitIn
from ..calls import run
from .security import require_token

PREFIX = ""
blp = Blueprint("api_calendar", __name__, description="Working-day calendar and time limits (admin)")
blp.before_request(require_token)


@blp.route("/calendar/years", methods=["GET"])
@blp.response(200)
def years():
    """Every year the calendar or an open deadline touches: confirmed or provisional."""
    return run(calendar_admin.year_status)


@blp.route("/calendar/add", methods=["GET"])
@blp.arguments(CalendarAddQuery, location="query")
@blp.response(200)
def add(args: dict):
    """The deadline of ``limit`` (3wd, 4wh, 2h…) from ``start``, and whether it is provisional."""
    deadline = run(calendar_admin.add_limit, args["start"], args["limit"])
    return {"deadline": deadline.at, "provisional": deadline.provisional,
            "provisional_years": sorted(deadline.provisional_years)}


@blp.route("/calendar/days", methods=["POST"])
@blp.arguments(CalendarDaysIn)
@blp.response(200)
def set_days(body: dict):
    """Admin: add or override days (holidays, 调休 working days)."""
    return run(calendar_admin.set_days, body["days"], g.user_id)


@blp.route("/calendar/years/<int:year>/confirm", methods=["POST"])
@blp.arguments(ConfirmYearIn)
@blp.response(200)
def confirm(body: dict, year: int):
    """Admin: confirm a year (optionally importing its days); open deadlines are recomputed."""
    return run(calendar_admin.confirm_year, year, g.user_id, days=body["days"])


@blp.route("/time-limits", methods=["GET"])
@blp.response(200)
def time_limits():
    return run(calendar_admin.list_time_limits, g.user_id)


@blp.route("/time-limits", methods=["POST"])
@blp.arguments(TimeLimitIn)
@blp.response(200)
def set_time_limit(body: dict):
    """Admin: set the limit for process × stage × category × urgency."""
    return run(calendar_admin.set_time_limit, g.user_id, **body)
