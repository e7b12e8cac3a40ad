"""The composition root: one place wires settings, database, clock and event bus."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .cache import TTLCache
from .clock import SystemClock
from .database import make_engine, make_session_factory
from .events import EventBus
from .subscribers import engine_bus
from .settings import Settings, load_settings
from .uow import UnitOfWork


@dataclass
class Container:
    """Everything a request, a CLI command or a scheduler job needs to open a unit of work."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: object = field(default_factory=SystemClock)
    bus: EventBus = field(default_factory=engine_bus)
    cache: TTLCache = field(default_factory=TTLCache)
    # (id, function(container, owner), seconds): interval jobs added by the composition root
    jobs: list[tuple] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, clock=self.clock, bus=self.bus, settings=self.settings,
                          cache=self.cache)


def bootstrap(settings: Settings | None = None, clock: object | None = None) -> Container:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    return Container(settings=settings, engine=engine, session_factory=make_session_factory(engine),
                     clock=clock or SystemClock())
