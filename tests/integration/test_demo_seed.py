"""``seed-demo`` on a fresh database: event-loop and bundle cases in each named state, made by
the engine's own services (the overdue ones escalated by the real timer sweep), work in every
working desk's inbox, nothing stuck, and nothing more on a second run."""
from __future__ import annotations

from sqlalchemy import func, select

from engine import services
from engine.documents import case_documents
from engine.models import AuditEvent, Case, User, UserRole
from engine.services import supervision
from engine.stuck import stuck_cases
from webapp.demo import EXTRA_USERS, USERS, seed_demo
from webapp.demo_cases import MARKER

WORKING_ROLES = {"operator", "dispatcher", "handler", "inspector", "clerk", "approver", "supervisor"}

OPEN_STEPS = {  # demo case → its open steps, as (element id, org unit)
    "new-app": [("Task_preprocess", "CITY-12345")],
    "new-sensor": [("Task_preprocess", "CITY-12345")],
    "classify": [("Task_classify", "CITY-12345")],
    "triage": [("Task_triage", "CITY-12345")],
    "grade-a": [("Task_escalate", "CITY")],
    "signfor": [("Task_signfor", "D-EAST-CG")],
    "city-signfor": [("Task_signfor", "CITY-CG")],
    "warning": [("Task_handle", "D-EAST-SW")],
    "overdue": [("Task_handle", "D-EAST-SW")],
    "escalated": [("Task_handle", "D-WEST-CG")],
    "returned": [("Task_return_review", "CITY-12345")],
    "sent-back": [("Task_classify", "CITY-12345")],
    "hold-district": [("Task_hold_approve", "D-EAST")],
    "hold-city": [("Task_hold_approve", "CITY")],
    "verify-district": [("Task_verify", "D-EAST")],
    "verify-street": [("Task_verify", "S-HEPING")],
    "verify-grid": [("Task_verify", "G-HEPING-1-01")],
    "evaluate": [("Task_evaluate", None)],
    "completed": [],
    "birth-intake": [("Task_intake", None)],
    "birth-review": [("Task_review", d) for d in ("DEPT-HRSS", "DEPT-MEDICAL-INSURANCE", "DEPT-POLICE")],
    "birth-delegated": [("Task_review", d) for d in ("DEPT-CDC", "DEPT-HEALTH", "DEPT-HRSS",
                                                     "DEPT-MEDICAL-INSURANCE", "DEPT-POLICE")],
    "startup-instant": [],
    "startup-review": [("Task_review", d) for d in ("DEPT-BANK", "DEPT-HOUSING-FUND", "DEPT-HRSS",
                                                    "DEPT-MARKET", "DEPT-PSB-SEAL", "DEPT-TAX")],
    "engineering-committed": [("Task_post_check", None)] + [("Task_review", d) for d in (
        "DEPT-CIVIL-DEFENSE", "DEPT-CONSTRUCTION", "DEPT-ECO", "DEPT-FIRE", "DEPT-PLANNING", "DEPT-TRAFFIC",
        "DEPT-WATER")],
}


def _ids(container) -> dict[str, int]:
    with container.uow() as uow:
        return {key.removeprefix(MARKER): cid for key, cid in uow.session.execute(
            select(Case.business_key, Case.id).where(Case.business_key.like(MARKER + "%")))}


def _uid(uow, username: str) -> int:
    return uow.session.scalar(select(User.id).where(User.username == username))


def _case(container, case_id: int) -> dict:
    with container.uow() as uow:
        return services.get_case(uow, case_id, _uid(uow, "admin"))


def _working_users(uow) -> list[str]:
    """Every user seed-demo made who holds a working role: the listed desks and the department approvers."""
    working = set(uow.session.scalars(select(User.username).join(UserRole, UserRole.user_id == User.id)
                                      .where(UserRole.role.in_(WORKING_ROLES))))
    listed = {u for role, (u, _, _) in USERS.items() if role in WORKING_ROLES} | {
        u for u, _, role, _ in EXTRA_USERS if role in WORKING_ROLES}
    assert listed < working and len(working - listed) == 18  # one approver per bundle department
    return sorted(working)


def _people(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith("demo users"))
    return lines[start:next(i for i, line in enumerate(lines) if line.startswith("demo cases"))]


def test_seed_demo_makes_cases_in_every_state_once(container):
    first = list(seed_demo(container))
    ids = _ids(container)
    assert set(ids) == set(OPEN_STEPS)
    views = {key: _case(container, cid) for key, cid in ids.items()}
    for key, steps in OPEN_STEPS.items():
        assert sorted((t["element_id"], t["org_unit"]) for t in views[key]["tasks"]) == sorted(steps), key
        assert views[key]["status"] == ("running" if steps else "completed"), key

    done = views["completed"]
    assert done["data"]["archived"] is True and done["data"]["satisfaction"] == "satisfied"
    assert [h["action"] for h in done["history"] if h["task"] == "评价"] == ["task.completed"]
    assert [h["reason"] for h in views["returned"]["history"] if h["task"] == "签收"] == [
        "职能交叉；建筑垃圾应由住建部门处理"]
    assert [h["reason"] for h in views["sent-back"]["history"] if h["action"] == "task.returned"] == [
        "路口为施工围挡所致，请改为市政设施类"]
    assert views["sent-back"]["tasks"][0]["assignee"] == "operator"  # back to whoever classified it

    assert views["warning"]["tasks"][0]["sla_state"] == "warning"
    assert views["overdue"]["tasks"][0]["sla_state"] == "overdue"
    assert views["escalated"]["tasks"][0]["sla_state"] == "overdue"
    with container.uow() as uow:
        board = supervision.board(uow, _uid(uow, "supervisor"))
        escalations = [(e.case_id, e.detail["level"], e.detail["org_unit"]) for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.escalation").order_by(AuditEvent.seq))]
    assert (ids["escalated"], 1, "D-WEST") in escalations and (ids["escalated"], 2, "CITY") in escalations
    assert (ids["overdue"], 1, "D-EAST") in escalations
    assert ("escalation", "CITY", 2) in [(i["kind"], i["org_unit"], i["level"]) for i in board
                                         if i["case_id"] == ids["escalated"]]

    birth = {i["code"]: i["status"] for i in views["birth-review"]["items"]}
    assert birth["birth_certificate"] == birth["vaccination"] == "approved"
    assert birth["household_registration"] == "in_review"
    police = [t for t in views["birth-delegated"]["tasks"] if t["org_unit"] == "DEPT-POLICE"][0]
    assert (police["assignee"], police["owner"], police["delegation"]) == ("approver", "approver-police", "pending")
    assert {i["status"] for i in views["startup-instant"]["items"]} == {"approved"}
    with container.uow() as uow:
        assert "result" in [d.kind for d in case_documents(uow.session, ids["startup-instant"])]
        assert [d.kind for d in case_documents(uow.session, ids["engineering-committed"])] == ["receipt", "approval"]
        imported = list(uow.session.scalars(select(Case.id).where(Case.business_key.like("policy_cashing:%"))))
    assert sorted(t["element_id"] for cid in imported for t in _case(container, cid)["tasks"]) == [
        "Task_confirm_bank", "Task_payout"]

    with container.uow() as uow:
        empty = [u for u in _working_users(uow)
                 if not services.list_tasks(uow, _uid(uow, u), scope="inbox")]
        city = services.list_tasks(uow, _uid(uow, "supervisor"), scope="all", per_page=200)
        assert stuck_cases(uow.session) == []
        cases = uow.session.scalar(select(func.count()).select_from(Case))
    assert empty == []
    assert {"warning", "overdue"} <= {t["sla_state"] for t in city}

    again = list(seed_demo(container))
    assert "demo cases (already seeded)" in again
    assert again[-1] == "demo cases (already seeded)"
    assert _people(again) == _people(first)  # the same users and passwords
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Case)) == cases
