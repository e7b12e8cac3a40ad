"""The engine's invariant, for every process test: after each step, no running case waits on
nothing (no open task, timer, subscription, external task, child case or incident)."""
from __future__ import annotations

from engine.stuck import stuck_cases


def assert_not_stuck(container, *case_ids: int) -> None:
    """Fail naming the cases that stopped silently (all running cases when none are named)."""
    with container.session_factory() as s:
        stuck = stuck_cases(s, list(case_ids) or None)
    assert not stuck, f"running cases waiting on nothing: {stuck}"
