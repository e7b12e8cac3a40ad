"""The unit of work: one transaction per state change, rolled back unless told to commit."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .cache import TTLCache
from .clock import SystemClock
from .errors import Conflict
from .events import DomainEvent, EventBus

# PostgreSQL's serialization failure and deadlock: a concurrent writer won, not a server fault
LOST_RACE_SQLSTATES = ("40001", "40P01")


def lost_race(exc: BaseException | None) -> bool:
    orig = getattr(exc, "orig", None)
    return isinstance(exc, DBAPIError) and (getattr(orig, "sqlstate", None) in LOST_RACE_SQLSTATES
                                            or getattr(orig, "pgcode", None) in LOST_RACE_SQLSTATES)


class UnitOfWork:
    """Owns one session. Services call :meth:`commit`; leaving the block otherwise rolls back.

    Domain events raised during the transaction go to in-transaction subscribers just before
    the commit (so an outbox row commits with the change) and to after-commit subscribers after it.
    """

    def __init__(self, session_factory: sessionmaker[Session], clock: Any = None,
                 bus: EventBus | None = None, settings: Any = None, cache: TTLCache | None = None) -> None:
        self._session_factory = session_factory
        self.clock = clock or SystemClock()
        self.bus = bus or EventBus()
        self.settings = settings
        self.cache = cache or TTLCache()
        self.session: Session | None = None
        self._events: list[DomainEvent] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._events = []
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None
        if lost_race(exc) or isinstance(exc, StaleDataError):  # the other writer's change stands; ours changed nothing
            raise Conflict("the case was changed at the same moment; reload and try again") from exc

    def publish(self, event: DomainEvent) -> None:
        self._events.append(event)

    def flush(self) -> None:
        """Write pending changes now; a stale case version becomes a Conflict."""
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise Conflict("the case was changed by someone else; reload and try again") from exc

    def commit(self) -> None:
        events, self._events = self._events, []
        for event in events:
            self.bus.dispatch_in_transaction(self, event)
        try:
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise Conflict("the case was changed by someone else; reload and try again") from exc
        for event in events:
            self.bus.dispatch_after_commit(event)


UnitOfWorkFactory = Callable[[], UnitOfWork]
