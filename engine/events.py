"""Domain events the engine publishes (case started, task created, task completed, …).

Subscribers in ``notifications/`` and elsewhere register here; the engine imports none of them.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    name: str  # "case.started", "task.created", "task.completed", "case.completed", ...
    case_id: int | None = None
    task_id: int | None = None
    payload: dict = field(default_factory=dict)


class EventBus:
    def __init__(self) -> None:
        self._in_tx: dict[str, list[Callable]] = defaultdict(list)
        self._after: dict[str, list[Callable]] = defaultdict(list)

    def subscribe(self, name: str, handler: Callable, *, after_commit: bool = False) -> None:
        """In-transaction handlers get ``(uow, event)``; after-commit handlers get ``(event)``."""
        (self._after if after_commit else self._in_tx)[name].append(handler)

    def dispatch_in_transaction(self, uow: Any, event: DomainEvent) -> None:
        for handler in self._in_tx[event.name] + self._in_tx["*"]:
            handler(uow, event)

    def dispatch_after_commit(self, event: DomainEvent) -> None:
        for handler in self._after[event.name] + self._after["*"]:
            handler(event)
