"""Calling the engine from a request: each service call in a fresh unit of work (one transaction)."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app


def run(service: Callable, *args, **kwargs):
    """Call ``service(uow, *args, **kwargs)`` with this app's container."""
    with current_app.extensions["civicflow"].uow() as uow:
        return service(uow, *args, **kwargs)
