"""撤回 racing a claim of the next step, from two threads, round after round: exactly one wins and
the other gets Conflict (never a 500), and the case's rows stay in step with its workflow.
PostgreSQL only: SQLite serializes writers, so there is no race to lose."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import services
from engine.errors import Conflict
from engine.models import Task
from engine.services.handover import return_task
from engine.services import withdraw as withdraw_module
from engine.services.withdraw import withdraw
from tests.conformance.invariant import assert_not_stuck, assert_rows_match_workflow
from tests.conformance.test_returns import LINEAR
from tests.conftest import ON_POSTGRES
from tests.factories.directory import make_user
from tests.factories.races import race

ROUNDS = 25


def _live(container, case_id: int, element: str) -> int:
    with container.session_factory() as s:
        return s.scalar(select(Task.id).where(Task.case_id == case_id, Task.element_id == element,
                                              Task.state.in_(("open", "claimed"))))


def _linear_case(container) -> tuple[int, int, int]:
    """(case id, clerk, approver) of a linear_review case waiting at apply."""
    with container.uow() as uow:
        services.deploy(uow, [("linear.bpmn", LINEAR)], None)
    citizen, clerk = make_user(container, "zhang", "citizen"), make_user(container, "sun", "clerk")
    approver = make_user(container, "a1", "approver")
    with container.uow() as uow:
        case_id = services.start_case(uow, "linear_review", {"title": "申请"}, citizen)["id"]
    return case_id, clerk, approver


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL's concurrent writers")
def test_a_claim_between_the_check_and_the_cancel_wins(container, monkeypatch):
    """The conditional UPDATE, not the check before it, decides: a claim committed in between
    makes the withdraw a Conflict and leaves the claim standing."""
    case_id, clerk, approver = _linear_case(container)
    with container.uow() as uow:
        services.complete_task(uow, _live(container, case_id, "apply"), {"apply_ok": True}, clerk)
    review = _live(container, case_id, "review")
    checked = withdraw_module._untouched

    def claim_then_check(row: Task) -> bool:
        with container.uow() as uow:
            services.claim_task(uow, review, approver)
        return checked(row)

    monkeypatch.setattr(withdraw_module, "_untouched", claim_then_check)
    with container.uow() as uow, pytest.raises(Conflict):
        withdraw(uow, review, clerk, "撤回")
    with container.session_factory() as s:
        assert (s.get(Task, review).state, s.get(Task, review).assignee_id) == ("claimed", approver)
    assert_rows_match_workflow(container, case_id)


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL's concurrent writers")
def test_withdraw_racing_a_claim_has_one_winner(container):
    case_id, clerk, approver = _linear_case(container)
    wins = {"withdraw": 0, "claim": 0}
    for _ in range(ROUNDS):
        with container.uow() as uow:
            services.complete_task(uow, _live(container, case_id, "apply"), {"apply_ok": True}, clerk)
        review = _live(container, case_id, "review")
        outcomes = race(container, {"withdraw": lambda u: withdraw(u, review, clerk, "撤回"),
                                    "claim": lambda u: services.claim_task(u, review, approver)})
        assert sorted(outcomes.values()) == ["ok", "refused"], outcomes
        winner = next(name for name, result in outcomes.items() if result == "ok")
        wins[winner] += 1
        assert_not_stuck(container, case_id)
        assert_rows_match_workflow(container, case_id)
        if winner == "claim":  # back to apply for the next round
            with container.uow() as uow:
                return_task(uow, review, approver, "再来")
            assert_rows_match_workflow(container, case_id)
    assert sum(wins.values()) == ROUNDS
