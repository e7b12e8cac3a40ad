"""Who may use the citizen's own pages: a signed-in user holding the citizen role."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import session

from engine.errors import Forbidden

from ..auth import login_required
from ..i18n import N_


def citizen_required(view: Callable) -> Callable:
    """Signed out: to the sign-in page and back. Signed in without the citizen role (staff): 403."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if "citizen" not in session.get("roles", []):
            raise Forbidden(N_("this page is for citizens"))
        return view(*args, **kwargs)
    return login_required(wrapper)
