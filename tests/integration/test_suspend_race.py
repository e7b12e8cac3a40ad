"""A supervisor's suspend or terminate racing a caseworker's claim or completion, from two
threads, round after round (issue #16 §3): each call either succeeds or is a Conflict (never a
deadlock or stale-data 500), and the case's rows stay in step with its workflow. PostgreSQL
only: SQLite serializes writers, so there is no race to lose."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import services
from engine.errors import Conflict, ProcessRefusal
from engine.models import Case, Task
from engine.services.supervision import resume, suspend, terminate
from tests.conformance.invariant import assert_rows_match_workflow
from tests.conformance.test_returns import LINEAR
from tests.conftest import ON_POSTGRES
from tests.factories.directory import make_user
from tests.factories.races import race

ROUNDS = 15
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL's concurrent writers")


def _people(container) -> dict[str, int]:
    with container.uow() as uow:
        services.deploy(uow, [("linear.bpmn", LINEAR)], None)
    return {"citizen": make_user(container, "zhang", "citizen"), "clerk": make_user(container, "sun", "clerk"),
            "supervisor": make_user(container, "wu", "supervisor")}


def _new_case(container, people) -> tuple[int, int]:
    with container.uow() as uow:
        case_id = services.start_case(uow, "linear_review", {"title": "申请"}, people["citizen"])["id"]
    with container.session_factory() as s:
        return case_id, s.scalar(select(Task.id).where(Task.case_id == case_id, Task.element_id == "apply"))


def _resume_if_suspended(container, people, case_id: int) -> None:
    """Resume a suspended case, so that its rows and workflow can be compared as a running one."""
    with container.session_factory() as s:
        suspended = s.get(Case, case_id).status == "suspended"
    if suspended:
        with container.uow() as uow:
            resume(uow, case_id, people["supervisor"], "核实完毕")


@pytest.mark.parametrize("override", ["suspend", "terminate"])
def test_an_override_racing_a_completion_never_fails_the_server(container, override):
    people = _people(container)
    act = {"suspend": suspend, "terminate": terminate}[override]
    for round_ in range(ROUNDS):
        case_id, task_id = _new_case(container, people)
        outcomes = race(container, {
            "override": lambda u: act(u, case_id, people["supervisor"], "督办：暂停核实"),
            "complete": lambda u: services.complete_task(u, task_id, {"apply_ok": True}, people["clerk"]),
        }, refused=(Conflict, ProcessRefusal))
        assert set(outcomes.values()) <= {"ok", "refused"}, (round_, outcomes)
        assert "ok" in outcomes.values(), (round_, outcomes)
        with container.session_factory() as s:
            status = s.get(Case, case_id).status
        assert status == ("running" if outcomes["override"] != "ok" else
                          {"suspend": "suspended", "terminate": "terminated"}[override]), (round_, outcomes, status)
        _resume_if_suspended(container, people, case_id)
        if status != "terminated":
            assert_rows_match_workflow(container, case_id)


def test_a_suspend_racing_a_claim_never_fails_the_server(container):
    people = _people(container)
    for round_ in range(ROUNDS):
        case_id, task_id = _new_case(container, people)
        outcomes = race(container, {
            "suspend": lambda u: suspend(u, case_id, people["supervisor"], "督办：暂停核实"),
            "claim": lambda u: services.claim_task(u, task_id, people["clerk"]),
        }, refused=(Conflict, ProcessRefusal))
        assert set(outcomes.values()) <= {"ok", "refused"}, (round_, outcomes)
        _resume_if_suspended(container, people, case_id)
        assert_rows_match_workflow(container, case_id)
