"""Time limits a 12345 centre can trust: traffic light, warning and breach timers, escalation up
the org tree, paused clocks, extensions, supervisor overrides and calendar confirmation. The
clock is frozen and moved by hand; the sweep runs in-process."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from engine import services
from engine.models import AuditEvent, PeriodicRun
from engine.periodic import last_complete_period, run_period
from engine.timers import sweep
from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user

SH = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def world(client, container):
    make_org_tree(container)
    for name, role, unit in [("root", "admin", None), ("zhang", "citizen", None), ("wang", "dispatcher", "CITY"),
                             ("zhao", "handler", "D-EAST-CG"), ("wu", "supervisor", "CITY"),
                             ("qian", "inspector", "D-EAST")]:
        make_user(container, name, role, org_unit=unit)
    with container.uow() as uow:
        services.deploy(uow, [("s.bpmn", (DATA / "streetlight_repair.bpmn").read_bytes())], None)
    users = {n: ApiUser(client, n) for n in ("root", "zhang", "wang", "zhao", "wu", "qian")}
    return users


def _case_at_handling(world, clock) -> tuple[dict, dict]:
    case = world["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                          "data": {"title": "路灯", "location": "和平路"}}).get_json()
    dispatch = case["tasks"][0]
    world["wang"].post(f"/tasks/{dispatch['id']}/complete", {"data": {"valid": True, "department": "D-EAST-CG"}})
    handle = world["zhao"].get("/tasks").get_json()[0]
    return case, handle


def _task(user, task_id):
    return user.get(f"/tasks/{task_id}").get_json()


def _actions(container, case_id):
    with container.session_factory() as s:
        return [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                            .order_by(AuditEvent.seq))]


def test_traffic_light_breach_and_escalation_up_to_discipline(world, container, clock):
    case = world["zhang"].post("/cases", {"process_key": "streetlight_repair",
                                          "data": {"title": "路灯", "location": "和平路"}}).get_json()
    dispatch = case["tasks"][0]
    assert datetime.fromisoformat(dispatch["due_at"]) == local("2026-11-23T10:30")  # 30m, natural
    clock.advance(minutes=25)
    assert sweep(container, "test") == 1
    assert _task(world["wang"], dispatch["id"])["sla_state"] == "warning"
    world["wang"].post(f"/tasks/{dispatch['id']}/complete", {"data": {"valid": True, "department": "D-EAST-CG"}})
    assert sweep(container, "test") == 0  # its breach timer went with it

    handle = world["zhao"].get("/tasks").get_json()[0]
    # 3 working days, day of receipt not counted: Tue, Wed, Thu → Thursday's close
    assert datetime.fromisoformat(handle["due_at"]) == local("2026-11-26T17:30")
    assert handle["sla_state"] == "ok" and handle["due_provisional"] is False
    clock._at = local("2026-11-26T17:31").astimezone(timezone.utc)
    assert sweep(container, "test") == 2  # warning, then breach
    assert _task(world["zhao"], handle["id"])["sla_state"] == "overdue"
    board = world["wu"].get("/supervision/board").get_json()
    assert [(i["kind"], i["org_unit"], i["level"]) for i in board] == [("escalation", "D-EAST", 1)]

    clock._at = local("2026-11-30T17:31").astimezone(timezone.utc)  # 2 working days later
    assert sweep(container, "test") == 1
    clock._at = local("2026-12-02T17:31").astimezone(timezone.utc)
    assert sweep(container, "test") == 1
    board = world["wu"].get("/supervision/board").get_json()
    assert [(i["kind"], i["org_unit"], i["level"]) for i in board] == [
        ("escalation", "D-EAST", 1), ("escalation", "CITY", 2), ("discipline", None, 3)]
    clock._at = local("2026-12-10T17:31").astimezone(timezone.utc)
    assert sweep(container, "test") == 0  # the discipline list is the end of the climb
    assert _actions(container, case["id"]).count("case.escalation") == 2
    assert world["zhao"].get("/supervision/board").status_code == 403


def test_suspension_pauses_the_clock_in_working_time(world, container, clock):
    case, handle = _case_at_handling(world, clock)
    due = datetime.fromisoformat(handle["due_at"])
    clock._at = local("2026-11-24T09:00").astimezone(timezone.utc)
    assert world["wu"].post(f"/cases/{case['id']}/suspend", {"reason": "等待产权单位确认"}).status_code == 200
    assert world["zhao"].post(f"/tasks/{handle['id']}/complete", {"data": {"result": "x"}}).status_code == 409
    clock._at = local("2026-11-24T15:00").astimezone(timezone.utc)  # 3h (to 12:00) + 1h (from 14:00) of work
    assert world["wu"].post(f"/cases/{case['id']}/resume", {"reason": "已确认"}).status_code == 200
    resumed = datetime.fromisoformat(_task(world["zhao"], handle["id"])["due_at"])
    assert resumed == local("2026-11-27T14:30")  # Thu 17:30 + 4h of working time → Fri 14:30
    assert resumed > due


def test_extension_requested_then_granted_or_refused(world, container, clock):
    case, handle = _case_at_handling(world, clock)
    assert world["qian"].post(f"/tasks/{handle['id']}/extend", {"working_days": 2, "reason": "x"}).status_code == 404
    asked = world["zhao"].post(f"/tasks/{handle['id']}/extend", {"working_days": 2, "reason": "需要采购灯具"})
    assert asked.status_code == 200 and asked.get_json()["status"] == "requested"
    assert world["zhao"].post(f"/tasks/{handle['id']}/extension", {"decision": "grant", "reason": "x"}).status_code == 403
    board = world["wu"].get("/supervision/board").get_json()
    assert [(i["kind"], i["detail"]["working_days"]) for i in board] == [("extension", 2)]
    granted = world["wu"].post(f"/tasks/{handle['id']}/extension", {"decision": "grant", "reason": "同意延期"})
    assert granted.status_code == 200
    # Thursday 17:30 + 2 working days: Friday, Monday → Monday 30 November 17:30
    assert datetime.fromisoformat(_task(world["zhao"], handle["id"])["due_at"]) == local("2026-11-30T17:30")

    case2, handle2 = _case_at_handling(world, clock)
    world["zhao"].post(f"/tasks/{handle2['id']}/extend", {"working_days": 5, "reason": "再等等"})
    refused = world["wu"].post(f"/tasks/{handle2['id']}/extension", {"decision": "refuse", "reason": "理由不充分"})
    assert refused.get_json()["status"] == "refused"
    assert _task(world["zhao"], handle2["id"])["due_at"] == handle2["due_at"]  # no time passed while paused
    assert _actions(container, case2["id"])[-2:] == ["task.extension_requested", "task.extension_refused"]


def test_every_override_is_audited_and_refused_to_non_supervisors(world, container, clock):
    case, handle = _case_at_handling(world, clock)
    calls = [("post", f"/cases/{case['id']}/urge", {"reason": "请加快办理"}, "case.urged"),
             ("post", f"/tasks/{handle['id']}/reassign", {"to_user": "zhao", "reason": "指定专人"}, "task.reassigned"),
             ("post", f"/tasks/{handle['id']}/extend", {"working_days": 1, "reason": "督办延期"}, "task.extension_granted"),
             ("post", f"/cases/{case['id']}/suspend", {"reason": "暂停"}, "case.suspended"),
             ("post", f"/cases/{case['id']}/resume", {"reason": "恢复"}, "case.resumed"),
             ("post", f"/tasks/{handle['id']}/force-complete", {"data": {"result": "督办员代为办结"}, "reason": "卡单"},
              "task.force_completed")]
    for method, path, body, action in calls:
        # (the handler may *request* an extension; granting one is the override)
        for outsider in ("wang", "root") if action == "task.extension_granted" else ("zhao", "wang", "root"):
            resp = getattr(world[outsider], method)(path, body)
            assert resp.status_code in (403, 404), (outsider, path, resp.get_json())
        assert world["wu"].post(path, {k: v for k, v in body.items() if k != "reason"}).status_code == 400
        resp = getattr(world["wu"], method)(path, body)
        assert resp.status_code == 200, (path, resp.get_json())
        with container.session_factory() as s:
            row = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case["id"],  # not the 督办单 it issued
                                                     AuditEvent.action != "document.issued")
                            .order_by(AuditEvent.seq.desc())).first()
        assert (row.action, row.actor, row.reason) == (action, "wu", body["reason"])
    verify = world["qian"].get("/tasks").get_json()[0]
    assert world["wu"].post(f"/cases/{case['id']}/terminate", {"reason": "重复工单"}).status_code == 200
    assert world["qian"].post(f"/tasks/{verify['id']}/complete", {"data": {"passed": True}}).status_code == 409
    assert world["zhang"].get(f"/cases/{case['id']}").get_json()["status"] == "terminated"


def test_a_deadline_in_an_unconfirmed_year_moves_when_the_year_is_confirmed(world, container, clock):
    clock._at = local("2026-12-21T10:00").astimezone(timezone.utc)
    limit = world["root"].post("/time-limits", {"process_key": "streetlight_repair", "stage": "Task_handle",
                                                "limit": "15wd", "note": "复杂疑难"})
    assert limit.status_code == 200
    assert world["wang"].post("/time-limits", {"process_key": "x", "stage": "y", "limit": "1wd"}).status_code == 403
    _, handle = _case_at_handling(world, clock)
    assert datetime.fromisoformat(handle["due_at"]) == local("2027-01-12T17:30") and handle["due_provisional"]
    years = {y["year"]: y for y in world["root"].get("/calendar/years").get_json()}
    assert years[2027]["status"] == "provisional" and years[2027]["open_provisional_deadlines"] == 1
    assert years[2026]["status"] == "confirmed"

    official = [{"day": "2027-01-01", "working": False, "note": "元旦"},
                {"day": "2027-01-09", "working": True, "note": "调休上班"}]
    assert world["wang"].post("/calendar/years/2027/confirm", {"days": official}).status_code == 403
    done = world["root"].post("/calendar/years/2027/confirm", {"days": official})
    assert done.status_code == 200 and done.get_json()["recomputed_tasks"] == 1
    moved = _task(world["zhao"], handle["id"])
    assert datetime.fromisoformat(moved["due_at"]) == local("2027-01-11T17:30")  # one make-up Saturday earlier
    assert moved["due_provisional"] is False
    assert {y["year"]: y["status"] for y in world["root"].get("/calendar/years").get_json()}[2027] == "confirmed"


def test_each_report_period_runs_once(world, container, clock):
    period = last_complete_period("daily", clock.now(), SH)
    assert period.key == "2026-11-22"
    assert run_period(container, period) is True
    assert run_period(container, period) is False
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(PeriodicRun)) == 1
    assert last_complete_period("weekly", clock.now(), SH).key == "2026-W47"
    assert last_complete_period("monthly", clock.now(), SH).key == "2026-10"
