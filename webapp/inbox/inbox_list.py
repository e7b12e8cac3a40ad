"""The caseworker's inbox (/): my tasks and my groups' tasks, filtered, sorted and refreshed in
place by htmx (the table body alone, every 30 s and after a claim); saved filters per user.
Without JavaScript every control is a plain GET or POST form and the page still works."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from engine import services
from engine.errors import CivicFlowError, Conflict, InvalidInput
from engine.services import calendar_admin, inbox

from ..auth import login_required
from ..calls import run
from ..i18n import name_of
from . import bp
from ..query_args import page_number

PER_PAGE = 50
PAGE_SCOPES = ("inbox", "mine", "group")  # a caseworker's own; supervisors have their own pages


def _page() -> int:
    text = request.args.get("page", "1")
    return page_number(text, 10_000)


def current_filter(args: MultiDict) -> tuple[dict, dict]:
    """The filter in ``args`` and the per-field errors; a bad value is dropped and reported,
    never a 5xx."""
    raw = {k: args.get(k) for k in inbox.FILTER_KEYS if k in args}
    if raw.get("scope") == "all":
        raw.pop("scope")
    try:
        return inbox.clean_filter(raw, PAGE_SCOPES), {}
    except InvalidInput as exc:
        good = {k: v for k, v in raw.items() if k not in exc.fields}
        return inbox.clean_filter(good, PAGE_SCOPES), exc.fields


def _rows(filt: dict, page: int) -> list[dict]:
    return run(services.list_tasks, g.user_id, page=page, per_page=PER_PAGE, **filt)


def _rows_context(filt: dict, page: int, notice: tuple[str, str] | None = None) -> dict:
    return {"tasks": _rows(filt, page), "filt": filt, "page": page, "per_page": PER_PAGE, "notice": notice}


def _choices() -> dict:
    """The drop-downs as (value, label) pairs; process and category names translated."""
    found = run(inbox.filter_choices, g.user_id)
    return {"processes": [(c["value"], name_of(c["name"])) for c in found["processes"]],
            "categories": [(c["value"], name_of(c["name"])) for c in found["categories"]],
            "districts": [(c["value"], c["name"]) for c in found["districts"]]}


def index_page(filt: dict, errors: dict, save_errors: dict | None = None, status: int = 200,
               save_name: str = "") -> ResponseReturnValue:
    page = _page()
    unconfirmed = []
    if "admin" in session.get("roles", []):
        unconfirmed = [y for y in run(calendar_admin.year_status) if y["status"] != "confirmed"]
    saved = run(services.list_saved_filters, g.user_id)
    return render_template("inbox/index.html", **_rows_context(filt, page), errors=errors,
                           choices=_choices(), saved=saved,
                           save_errors=save_errors or {}, save_name=save_name,
                           unconfirmed_years=unconfirmed), status


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    filt, errors = current_filter(request.args)
    return index_page(filt, errors, status=400 if errors else 200)


@bp.route("/inbox/rows")
@login_required
def rows() -> ResponseReturnValue:
    """The table body alone, for htmx's refresh every 30 s."""
    filt, _errors = current_filter(request.args)
    return render_template("inbox/partials/rows.html", **_rows_context(filt, _page()))


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int) -> ResponseReturnValue:
    """认领. From htmx the refreshed table body comes back with a notice row; from a plain form
    the page is reloaded with the same filter and the notice as a flash message."""
    filt, _errors = current_filter(request.args)
    try:
        done = run(services.claim_task, task_id, g.user_id)
        notice = ("success", gettext("Claimed %(number)s: it is now in your tasks.", number=done["case_number"]))
    except Conflict:
        notice = ("warning", gettext("Someone else claimed this task first; the list is up to date now."))
    except CivicFlowError:
        notice = ("danger", gettext("This task is not open for you to claim."))
    if request.headers.get("HX-Request"):
        return render_template("inbox/partials/rows.html", **_rows_context(filt, _page(), notice))
    flash(notice[1], notice[0])
    return redirect(url_for("inbox.index", **filt))


@bp.route("/saved-filters", methods=["POST"])
@login_required
def save_filter() -> ResponseReturnValue:
    """Save the filter the page shows (sent as hidden fields) under the name typed."""
    filt, _errors = current_filter(request.form)
    name = request.form.get("name", "")
    try:
        saved = run(services.save_filter, g.user_id, name, filt)
    except InvalidInput as exc:
        return index_page(filt, {}, save_errors=exc.fields, status=400, save_name=name)
    flash(gettext("Filter “%(name)s” saved.", name=saved["name"]), "success")
    return redirect(url_for("inbox.index", **saved["query"]))


@bp.route("/saved-filters/<int:filter_id>/delete", methods=["POST"])
@login_required
def delete_filter(filter_id: int) -> ResponseReturnValue:
    run(services.delete_saved_filter, g.user_id, filter_id)
    flash(gettext("Saved filter deleted."), "success")
    return redirect(url_for("inbox.index", **current_filter(request.form)[0]))

