"""Leaders are read-only (engine/permissions.is_read_only, docs/visibility.md): every request
that could change something, from a page form or the API, is refused with 403 before its view
reads a byte of the body, unless it is one of the few a leader makes for themselves. One check
at the door rather than one per service, so that a route added later cannot forget it."""
from __future__ import annotations

from flask import Flask, request, session

from engine.errors import Forbidden
from engine.permissions import is_read_only, read_only_roles
from engine.services.common import load_actor

from .api.security import bearer_user_id
from .calls import run
from .i18n import N_

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# their session, their own account and notifications, the command mode and their subscription
LEADER_MAY = frozenset({
    "auth.login", "auth.logout", "auth.register", "api_auth.token",
    "account.large_text", "account.save_notification_settings", "account.my_details",
    "account.read_one", "account.read_all", "api_notifications.put_preferences",
    "api_notifications.read_one", "api_notifications.read_all", "api_approvals.mark_read",
    "api_command_mode.switch", "supervise.switch_command_mode", "reports.subscription",
})


def _actor_read_only(uow, user_id: int) -> bool:
    return is_read_only(load_actor(uow.session, user_id))


def _caller_read_only() -> bool:
    """A page's session says its roles; an API call is its bearer token's user (a bad token is
    the 401 the API's own check would give)."""
    if request.path.startswith("/api/"):
        return bool(request.headers.get("Authorization")) and run(_actor_read_only, bearer_user_id())
    return "user_id" in session and read_only_roles(session.get("roles", []))


def init_read_only(app: Flask) -> None:
    @app.before_request
    def _refuse_changes() -> None:
        if request.method in SAFE_METHODS or request.endpoint in LEADER_MAY or request.endpoint is None:
            return
        if _caller_read_only():
            raise Forbidden(N_("a leader's account is read-only: it changes no case or setting"))
