"""Two or more service calls released at the same instant from threads, each in its own unit
of work: what each one came to ("ok", "refused", or the repr of any other failure, which is
the bug a race test hunts)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from engine.errors import Conflict


def race(container, calls: dict[str, Callable], refused: tuple[type[Exception], ...] = (Conflict,)) -> dict[str, str]:
    barrier, outcomes = threading.Barrier(len(calls)), {}

    def attempt(name: str, call: Callable) -> None:
        barrier.wait()
        try:
            with container.uow() as uow:
                call(uow)
            outcomes[name] = "ok"
        except refused:
            outcomes[name] = "refused"
        except Exception as exc:  # noqa: BLE001 — any other failure is the bug a race test hunts
            outcomes[name] = repr(exc)

    threads = [threading.Thread(target=attempt, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes
