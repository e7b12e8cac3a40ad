"""Calling a service from an admin form: a refusal (bad input, a conflict, a business rule)
comes back to the view to be shown in place on the same page, never as an error page."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_babel import gettext

from engine.errors import Conflict, InvalidInput, ProcessRefusal

from ..calls import run
from ..errors import status_of

REFUSALS = (InvalidInput, Conflict, ProcessRefusal)


class Refused:
    """What the page shows for a refused form: the message, per-field messages, the status."""

    def __init__(self, exc: InvalidInput | Conflict | ProcessRefusal) -> None:
        self.message, self.fields, self.status = exc.message, exc.fields, status_of(exc)


def attempt(service: Callable, *args, **kwargs) -> tuple[object, Refused | None]:
    """``(result, None)``, or ``(None, Refused)`` when the service refused the input."""
    try:
        return run(service, *args, **kwargs), None
    except REFUSALS as exc:
        return None, Refused(exc)


def act(done_message: str, service: Callable, *args, **kwargs) -> bool:
    """For one-button actions: run and flash the outcome (the refusal's own text when refused)."""
    _, refused = attempt(service, *args, **kwargs)
    if refused is None:
        flash(done_message, "success")
        return True
    flash(gettext("Not done: %(why)s", why=gettext(refused.message)), "danger")
    return False
