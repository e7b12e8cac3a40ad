"""Notifications: message templates, the outbox and its delivery, PDF rendering.

Subscribes to the engine's domain events (engine.events); the engine never imports this package.
Messages are written to the outbox in the same transaction as the change that causes them and
delivered by a scheduler job after the commit. The composition roots (the web app, the CLI,
the tests' container) call :func:`install` on the container they build.
"""
from __future__ import annotations


def install(container):
    """Subscribe notifications to ``container``'s event bus and add its scheduler jobs (outbox
    delivery every second, digests, the ``civicflow.notify`` worker). Returns the container."""
    from . import models  # noqa: F401  (registers the tables on the engine's metadata)
    from .delivery import deliver_due
    from .digest import release_due
    from .enqueue import on_event
    from .issuing import HANDLERS
    from .monthly_report import on_report_closed
    from .notify_worker import run_notify_tasks
    from .rules import EVENTS
    from .verification import on_code_requested

    for name, handler in HANDLERS.items():  # documents first: a receipt's query code is in the SMS
        container.bus.subscribe(name, handler)
    for name in dict.fromkeys((*EVENTS, "task.completed")):
        container.bus.subscribe(name, on_event)
    container.bus.subscribe("verification.requested", on_code_requested)
    container.bus.subscribe("report.closed", on_report_closed)  # the monthly report by e-mail
    container.jobs += [("outbox-delivery", deliver_due, 1), ("outbox-digests", release_due, 15),
                       ("civicflow-notify", run_notify_tasks, 2)]
    return container
