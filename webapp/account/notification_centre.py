"""The notification centre: the user's in-app notifications newest first, unread ones marked,
each opening its case (which marks it read). "Load more" pages by id; htmx appends the next page
and marks one read in place, and without JavaScript every control is a plain link or form."""
from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from engine.errors import NotFound
from notifications import inbox

from ..auth import login_required
from ..calls import run
from . import bp

PER_PAGE = 20


def _state() -> tuple[bool, int | None]:
    """The list's filter and page from the query or the posted form: ``(unread only, before id)``;
    a value that is not an id is ignored."""
    before = request.values.get("before", "")
    before_id = int(before) if before.isdecimal() and 0 < int(before) <= 2**31 else None  # not "²"
    return request.values.get("unread") == "1", before_id


def _page(unread: bool, before_id: int | None) -> dict:
    found = run(inbox.list_notifications, g.user_id, unread=unread, limit=PER_PAGE + 1, before_id=before_id)
    items = found["items"][:PER_PAGE]
    more = items[-1]["id"] if len(found["items"]) > PER_PAGE else None
    return {"items": items, "unread_count": found["unread"], "unread": unread, "before_id": before_id,
            "next_before": more}


def _one(notification_id: int) -> dict:
    """The user's notification ``notification_id`` (NotFound for anyone else's)."""
    found = run(inbox.list_notifications, g.user_id, limit=1, before_id=notification_id + 1)["items"]
    if not found or found[0]["id"] != notification_id:
        raise NotFound(f"no notification {notification_id}")
    return found[0]


def case_href(case_id: int) -> str:
    """Citizens read their case on their own pages; staff on the case page."""
    roles = session.get("roles", [])
    if "citizen" in roles and all(r == "citizen" for r in roles):
        return f"/my/cases/{case_id}"
    return url_for("inbox.case", case_id=case_id)


def _htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


def _back() -> ResponseReturnValue:
    unread, before_id = _state()
    return redirect(url_for("account.notifications", **({"unread": 1} if unread else {}),
                            **({"before": before_id} if before_id else {})))


@bp.route("/notifications")
@login_required
def notifications() -> ResponseReturnValue:
    page = _page(*_state())
    if _htmx() and page["before_id"]:  # "load more": the next items and the next button only
        return render_template("account/_more_notifications.html", **page)
    return render_template("account/notifications.html", **page)


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int) -> ResponseReturnValue:
    """Follow a notification to its case, marking it read on the way."""
    run(inbox.mark_read, g.user_id, notification_id)
    found = _one(notification_id)
    return redirect(case_href(found["case_id"]) if found["case_id"] else url_for("account.notifications"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_one(notification_id: int) -> ResponseReturnValue:
    run(inbox.mark_read, g.user_id, notification_id)
    if _htmx():  # the item, now read, and the bell's new count
        return render_template("account/_read_notification.html", n=_one(notification_id))
    return _back()


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all() -> ResponseReturnValue:
    run(inbox.mark_read, g.user_id)
    if _htmx():  # the whole centre again; htmx picks #notification-centre and the bell out of it
        return render_template("account/notifications.html", **_page(*_state()))
    return _back()
