"""随手拍: a citizen reports a problem from their phone, starting a case of the event closed loop.

One plain form (POST /report works without JavaScript: photos upload with the form, the point
may stay empty); static/report.js turns it into steps, uploads each photo at once through
POST /my/uploads, sets the point on a map or from the phone and shows open reports nearby
(GET /report/nearby), which the citizen may follow instead of reporting again."""
from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta, gettext

from engine import services
from engine.errors import InvalidInput, NotFound
from engine.services import followers, nearby, receipts
from engine.services.catalogue import EVENT_LOOP_KEY

from ..calls import run
from ..i18n import N_, translation_or_none
from ..posted_forms import upload_files
from . import bp
from .access import citizen_required

PHOTOS = "photos"
MAX_PHOTOS = 9  # the diagram takes 20; a phone page asks for a few good ones
CHANNEL = "app"  # 市民App/小程序
TEXT_FIELDS = ("title", "description", "category", "address", "district")
POINT = ("lat", "lng")
JUST_NOW = timedelta(minutes=1)
# plain words for what to fix, by field; any other message is shown as the service said it
FIX = {
    "title": N_("Write a short title (at most 100 characters), for example “Pothole outside No. 3”."),
    "description": N_("The description is too long: at most 2,000 characters."),
    "category": N_("Choose a kind of problem from the list, or “Not sure”."),
    "address": N_("Enter where the problem is: a street and number, or a landmark nearby."),
    "district": N_("Choose the district the place is in."),
    "lat": N_("The point on the map is not valid. Set it again, or leave it out."),
    "lng": N_("The point on the map is not valid. Set it again, or leave it out."),
    PHOTOS: N_("A photo could not be used. Remove it and add it again."),
}


def _start_fields() -> dict[str, dict]:
    """The deployed start form's fields by name: labels, limits and the enums' choices."""
    return {f["name"]: f for f in run(services.get_definition, EVENT_LOOP_KEY)["start_form"]["fields"]}


def categories(fields: dict[str, dict]) -> dict[str, dict]:
    """Category code → ``{code, path}`` (the names from sector to problem, as the diagram lists
    them: ``["市政设施", "道路", "道路坑洼"]``), in the diagram's order."""
    return {code: {"code": code, "path": label.split("/")} for code, label in fields["category"]["choices"]}


def category_groups(by_code: dict[str, dict]) -> list[tuple[str, list[dict]]]:
    """The categories by sector (the first name of the path), both in the diagram's order."""
    groups: dict[str, list[dict]] = {}
    for category in by_code.values():
        groups.setdefault(category["path"][0], []).append(category)
    return list(groups.items())


def _photo_rows(ids: list[str]) -> list[dict]:
    rows = []
    for attachment_id in ids:
        try:
            rows.append(run(services.attachment_meta, attachment_id, g.user_id))
        except NotFound:
            continue  # not theirs: start_case names the field
    return rows


def _page(values: dict, errors: dict, photo_ids: list[str], status: int = 200) -> ResponseReturnValue:
    fields = _start_fields()
    settings = current_app.extensions["civicflow"].settings
    return render_template("citizen/report.html", fields=fields, category_groups=category_groups(categories(fields)),
                           values=values, errors=errors, photos=_photo_rows(photo_ids), max_photos=MAX_PHOTOS,
                           photo_field=PHOTOS, process_key=EVENT_LOOP_KEY, map_tiles=settings.map_tiles,
                           map_attribution=settings.map_attribution, map_center=settings.map_center), status


@bp.route("/report")
@citizen_required
def report() -> ResponseReturnValue:
    return _page({}, {}, [])


def _number(text: str) -> float | str:
    """A posted coordinate as a number when it is one; otherwise as typed, for the form to name."""
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _said(message: str) -> str:
    return translation_or_none(message) or gettext("Please check this entry.")


def _fixes(problems: dict) -> dict[str, list[str]]:
    return {name: [gettext(FIX[name])] if name in FIX else [_said(m) for m in msgs] for name, msgs in problems.items()}


def _report_data(values: dict, photo_ids: list[str]) -> dict:
    """The start form's data; without a point, the first photo's own location is the point."""
    data = {k: v for k, v in values.items() if v and k not in POINT}
    if values["lat"] and values["lng"]:
        data |= {k: _number(values[k]) for k in POINT}
    else:
        located = next((p["location"] for p in _photo_rows(photo_ids) if p.get("location")), None)
        data |= located or {}
    return data | {PHOTOS: photo_ids, "channel": CHANNEL}


def _page_problems(fields: dict[str, dict], data: dict, refused: list[str]) -> dict[str, list[str]]:
    """What this page asks beyond the diagram (1 to 9 photos), with the required fields left
    empty, so that every problem shows at once; empty when the service may judge the rest."""
    count = len(data[PHOTOS])
    photo_problems = refused + ([gettext("Add at least one photo of the problem.")] if count == 0 else []) \
        + ([gettext("At most %(n)s photos: remove %(extra)s.", n=MAX_PHOTOS, extra=count - MAX_PHOTOS)]
           if count > MAX_PHOTOS else [])
    if not photo_problems:
        return {}
    missing = {name: ["required"] for name, f in fields.items() if f["required"] and name not in data}
    return _fixes(missing) | {PHOTOS: photo_problems}


@bp.route("/report", methods=["POST"])
@citizen_required
def report_submit() -> ResponseReturnValue:
    """Start the case and show its receipt; any problem shows the form again (400), nothing started."""
    values = {name: request.form.get(name, "").strip() for name in TEXT_FIELDS + POINT}
    uploaded, refused = upload_files(PHOTOS, process_key=EVENT_LOOP_KEY, field=PHOTOS)  # sent without JavaScript
    photo_ids = list(dict.fromkeys([i for i in request.form.getlist(PHOTOS) if i] + uploaded))
    removing = request.form.get("remove_upload")
    if removing:  # the remove button of a kept photo, without JavaScript
        return _page(values, {}, [i for i in photo_ids if i != removing])
    data = _report_data(values, photo_ids)
    problems = _page_problems(_start_fields(), data, refused)
    if problems:
        return _page(values, problems, photo_ids, 400)
    try:
        case = run(services.start_case, EVENT_LOOP_KEY, data, g.user_id)
    except InvalidInput as exc:
        return _page(values, _fixes(exc.fields) if exc.fields else {"_form": [_said(exc.message)]}, photo_ids, 400)
    return redirect(url_for("citizen.report_receipt", number=case["number"]))


def _coordinate(name: str) -> float | None:
    try:
        return float(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/report/nearby")
@citizen_required
def report_nearby() -> ResponseReturnValue:
    """The open reports near the point, as a fragment for the location step."""
    found = run(nearby.nearby_reports, g.user_id, _coordinate("lat"), _coordinate("lng"), request.args.get("category"))
    now = current_app.extensions["civicflow"].clock.now()
    for case in found["cases"]:
        age = now - case["created_at"]
        case["ago"] = gettext("just now") if age < JUST_NOW else format_timedelta(-age, add_direction=True)
    return render_template("citizen/_nearby.html", found=found, categories=categories(_start_fields()))


@bp.route("/my/following/<int:case_id>", methods=["POST"])
@citizen_required
def follow(case_id: int) -> ResponseReturnValue:
    """关注: from the nearby list (htmx: the row's new state), or a plain POST (to My cases)."""
    case = run(followers.follow_case, g.user_id, case_id)
    if request.headers.get("HX-Request"):
        return render_template("citizen/_following.html", case=case)
    flash(gettext("You now follow case %(number)s. It is listed under My cases.", number=case["number"]), "success")
    return redirect(url_for("citizen.my_cases"))


@bp.route("/report/<number>/receipt")
@citizen_required
def report_receipt(number: str) -> ResponseReturnValue:
    return render_template("citizen/report_receipt.html", case=run(receipts.report_receipt, g.user_id, number))
