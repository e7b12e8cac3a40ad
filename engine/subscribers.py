"""The engine's own in-transaction subscribers; notifications/ adds its own to the same bus."""
from __future__ import annotations

from .bundles.notices import issue_on_passing
from .events import EventBus


def engine_bus() -> EventBus:
    bus = EventBus()
    bus.subscribe("elements.passed", issue_on_passing)
    return bus
