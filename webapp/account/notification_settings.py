"""Notification settings: the user's e-mail and mobile number and the channels they want. What
they turn off stops everything but the legally required notices (the rules marked legal), which
the page names so nobody is surprised by a 受理回执 after switching SMS off."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from notifications import inbox, rules

from ..admin.forms import attempt
from ..auth import login_required
from ..calls import run
from . import bp
from .notification_labels import MESSAGES


def legal_messages(uow) -> list[str]:
    """The message templates every process sends whatever the user turned off: the legal rules
    in effect for all processes (``*``, else the shipped defaults)."""
    found = (r["message"] for event in rules.EVENTS for r in rules.effective_rules(uow, None, event) if r["legal"])
    return list(dict.fromkeys(found))


def _page(values: dict, refused=None, status: int = 200) -> ResponseReturnValue:
    return render_template("account/notification_settings.html", values=values, channels=rules.CHANNELS,
                           legal=run(legal_messages), message_labels=MESSAGES, refused=refused), status


@bp.route("/account/notifications")
@login_required
def notification_settings() -> ResponseReturnValue:
    return _page(run(inbox.preferences, g.user_id))


@bp.route("/account/notifications", methods=["POST"])
@login_required
def save_notification_settings() -> ResponseReturnValue:
    wanted = request.form.getlist("channels")
    values = {"email": request.form.get("email", "").strip(), "phone": request.form.get("phone", "").strip(),
              "channels_off": [c for c in rules.CHANNELS if c not in wanted]}
    _, refused = attempt(inbox.set_preferences, g.user_id, **values)
    if refused:
        return _page(values, refused, refused.status)
    flash(gettext("Notification settings saved."), "success")
    return redirect(url_for("account.notification_settings"))
