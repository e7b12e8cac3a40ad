"""A user's own details that pre-fill later forms (信息复用): the name, and an enterprise's name
and 统一社会信用代码. The phone number is the username and is changed nowhere here."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine.services.auth import profile
from engine.services.registration import my_profile, update_profile

from ..admin.forms import attempt
from ..auth import login_required
from ..calls import run
from . import bp

FIELDS = ("display_name", "organisation", "credit_code")


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def my_details() -> ResponseReturnValue:
    values, refused = run(my_profile, g.user_id), None
    if request.method == "POST":
        values |= {k: request.form.get(k, "").strip() for k in FIELDS}
        _, refused = attempt(update_profile, g.user_id, values)
        if refused is None:
            session["profile"] = run(profile, g.user_id)  # the header shows the new name
            flash(gettext("Your details are saved; new applications start from them."), "success")
            return redirect(url_for("account.my_details"))
    return render_template("account/profile.html", values=values, refused=refused), refused.status if refused else 200
