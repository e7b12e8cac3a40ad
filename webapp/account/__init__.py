"""Pages every signed-in user has, staff and citizens alike: the notification centre
(/notifications) and the notification settings (/account/notifications), and the header's bell
with the unread count. Templates in templates/account/."""
from __future__ import annotations

from flask import Blueprint, session

from notifications import inbox

from ..calls import run

bp = Blueprint("account", __name__, template_folder="templates", static_folder="static",
               static_url_path="/account/static")


def unread_notifications() -> int:
    """The signed-in user's unread count for the header's bell (0 when signed out)."""
    return run(inbox.unread_count, session["user_id"]) if "user_id" in session else 0


@bp.app_context_processor
def _header() -> dict:
    # the function, not its value: only pages that draw the header (base.html) run the query,
    # partials such as the inbox's 30-second refresh do not
    return {"unread_notifications": unread_notifications}


from . import display, notification_centre, notification_settings, my_details  # noqa: E402,F401
