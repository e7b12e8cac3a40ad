"""平战切换 (issue 15 §6): a leader or supervisor switches the city or one district to emergency
mode; the next case reported there is urgent and goes to the command centre's dispatcher, the
cases already open keep their route, and switching back restores normal routing for new cases.
Every switch is audited and notified. Run on SQLite, and on PostgreSQL with DATABASE_URL."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, CommandModeSwitch, User
from engine.services import calendar_admin
from notifications.models import InAppNotification
from tests.factories.directory import make_user
from tests.factories.event_loop import PROCESS_DIR, EventLoop, make_event_loop

RUBBISH = dict(title="路边暴露垃圾", address="和平路12号", channel="app")
CLASS_C = dict(category="urban.appearance.exposed_rubbish", grade="C", urgency="normal")
EMERGENCY_REASON = "台风登陆，启动防汛应急响应"


@pytest.fixture
def loop(client, container) -> EventLoop:
    loop = make_event_loop(client, container)
    make_user(container, "boss", "leader", org_unit="CITY")  # 市领导
    for row in json.loads((PROCESS_DIR / "time_limits.json").read_text(encoding="utf-8")):  # as the demo loads them
        with container.uow() as uow:
            calendar_admin.set_time_limit(uow, None, **row)
    return loop


def switch(loop: EventLoop, username: str, mode: str, scope: str | None = None, reason: str = EMERGENCY_REASON):
    return loop.user(username).post("/command-mode", {"mode": mode, "scope_org_unit": scope, "reason": reason})


def report(loop: EventLoop, district: str) -> int:
    return loop.report("zhang", **RUBBISH, district=district)["id"]


def minutes_left(loop: EventLoop, clock, case_id: int, element: str) -> float:
    due = datetime.fromisoformat(loop.open_task(case_id, element)["due_at"])
    return (due - clock.now()) / timedelta(minutes=1)


def classify(loop: EventLoop, case_id: int) -> list[tuple]:
    """预处理 and 分类定级 as the 12345 operator (grade C, normal urgency: the operator's usual
    choice); returns (step, org unit, priority) of each task the case waits on next."""
    loop.advance("li", case_id, "Task_preprocess", decision="accept")
    done = loop.advance("li", case_id, "Task_classify", **CLASS_C)
    return [(t["element_id"], t["org_unit"], t["priority"]) for t in done["next_tasks"]]


COMMAND_CENTRE = [("Task_escalate", "CITY", 90)]
EAST_AUTO = [("Task_signfor", "D-EAST-CG", 50)]
WEST_AUTO = [("Task_signfor", "D-WEST-CG", 50)]


def test_a_district_emergency_reroutes_its_next_cases_and_not_the_open_ones(loop, clock):
    before = report(loop, "D-EAST")
    assert switch(loop, "wu", "emergency", "D-EAST").status_code == 201  # the district's own supervisor

    during = report(loop, "D-EAST")
    west = report(loop, "D-WEST")
    assert minutes_left(loop, clock, during, "Task_preprocess") == 10  # urgent intake limit
    assert minutes_left(loop, clock, before, "Task_preprocess") == 30
    assert minutes_left(loop, clock, west, "Task_preprocess") == 30

    assert classify(loop, during) == COMMAND_CENTRE
    assert minutes_left(loop, clock, during, "Task_escalate") == 10
    assert loop.attempt("wang", during, "Task_escalate", dispatch_action="dispatch") == 404  # 12345 level
    loop.advance("chen", during, "Task_escalate", dispatch_action="dispatch", department="D-EAST-CG",
                 dispatch_note="指挥中心统一调度")
    assert loop.open_steps(during) == [("Task_signfor", "D-EAST-CG")]
    assert loop.case(during)["data"]["urgency"] == "urgent"  # urgent though the operator chose normal

    assert classify(loop, before) == EAST_AUTO  # open before the switch: its route is unchanged
    assert classify(loop, west) == WEST_AUTO    # another district

    still_open = report(loop, "D-EAST")
    assert switch(loop, "wu", "normal", "D-EAST", "台风过境，恢复常态").status_code == 201
    after = report(loop, "D-EAST")
    assert minutes_left(loop, clock, after, "Task_preprocess") == 30
    assert classify(loop, after) == EAST_AUTO
    assert classify(loop, still_open) == COMMAND_CENTRE  # opened in emergency: keeps its route


def test_a_city_wide_switch_covers_every_district_until_one_switches_back(loop, clock):
    assert switch(loop, "boss", "emergency").status_code == 201
    assert [classify(loop, report(loop, d)) for d in ("D-EAST", "D-WEST")] == [COMMAND_CENTRE, COMMAND_CENTRE]

    assert switch(loop, "wu", "normal", "D-EAST", "本区未受影响").status_code == 201
    assert classify(loop, report(loop, "D-EAST")) == EAST_AUTO
    assert classify(loop, report(loop, "D-WEST")) == COMMAND_CENTRE
    modes = loop.user("zheng").get("/command-mode").get_json()
    assert modes["city"]["mode"] == "emergency" and modes["city"]["reason"] == EMERGENCY_REASON
    assert [(m["scope_org_unit"], m["mode"]) for m in modes["districts"]] == [("D-EAST", "normal")]
    assert [(m["scope_org_unit"], m["mode"]) for m in modes["history"]] == [("D-EAST", "normal"), (None, "emergency")]

    assert switch(loop, "boss", "normal", reason="应急响应结束").status_code == 201  # the city stands down
    assert [classify(loop, report(loop, d)) for d in ("D-EAST", "D-WEST")] == [EAST_AUTO, WEST_AUTO]
    modes = loop.user("boss").get("/command-mode").get_json()
    assert modes["city"]["mode"] == "normal" and modes["districts"] == []


def test_a_switch_is_audited_and_notifies_the_staff_it_concerns(loop, container):
    created = switch(loop, "zheng", "emergency", "D-EAST").get_json()
    assert created["scope_name"] == "东城区" and created["switched_by"] == "zheng"
    with container.uow() as uow:
        s = uow.session
        audit = s.execute(select(AuditEvent.actor, AuditEvent.reason, AuditEvent.detail)
                          .where(AuditEvent.action == "command_mode.switched")).all()
        told = dict(s.execute(select(User.username, InAppNotification.subject).join(
            InAppNotification, InAppNotification.user_id == User.id)).all())
        assert s.scalar(select(CommandModeSwitch.reason)) == EMERGENCY_REASON
    assert audit == [("zheng", EMERGENCY_REASON, {"mode": "emergency", "scope_org_unit": "D-EAST",
                                                   "switch_id": created["id"], "notified": created["notified"]})]
    # the district's and the city's supervisors, the city leader and the command centre's dispatcher;
    # not handlers, not another district, not the 12345 desks beside it
    assert sorted(told) == ["boss", "chen", "wu", "zheng"] and created["notified"] == 4
    assert told["wu"] == "应急指挥模式（战时）启动：东城区"


def test_only_supervisors_and_leaders_switch_within_their_own_subtree(loop, container):
    for username in ("zhao", "zhang", "wang"):  # handler, citizen, dispatcher
        assert switch(loop, username, "emergency", "D-EAST").status_code == 403
        assert loop.user(username).get("/command-mode").status_code == 403
    assert switch(loop, "wu", "emergency").status_code == 403             # a district supervisor: not the city
    assert switch(loop, "wu", "emergency", "D-WEST").status_code == 403   # nor another district
    assert switch(loop, "zheng", "emergency", "D-WEST").status_code == 201
    conflict = switch(loop, "boss", "emergency", "D-WEST")
    assert conflict.status_code == 409                                     # already in force there
    assert switch(loop, "wu", "normal", "D-EAST").status_code == 409       # never switched: normal

    mine = loop.user("wu").get("/command-mode").get_json()                 # only what wu oversees
    assert mine["scopes"] == [{"scope_org_unit": "D-EAST", "scope_name": "东城区", "mode": "normal"}]
    assert mine["districts"] == [] and mine["history"] == []
    city = loop.user("zheng").get("/command-mode").get_json()
    assert [s["scope_org_unit"] for s in city["scopes"]] == [None, "D-EAST", "D-WEST"]
    with container.uow() as uow:
        assert len(uow.session.scalars(select(CommandModeSwitch)).all()) == 1


@pytest.mark.parametrize("body, field", [
    ({"mode": "war", "reason": "x"}, "mode"),
    ({"reason": "x"}, "mode"),
    ({"mode": "emergency"}, "reason"),
    ({"mode": "emergency", "reason": "   "}, "reason"),
    ({"mode": "emergency", "reason": "x" * 2001}, "reason"),
    ({"mode": "emergency", "reason": "x", "scope_org_unit": "D-NORTH"}, "scope_org_unit"),
    ({"mode": "emergency", "reason": "x", "scope_org_unit": "D-EAST-CG"}, "scope_org_unit"),  # not a district
    ({"mode": "emergency", "reason": "x", "scope": "D-EAST"}, "scope"),
])
def test_bad_input_is_400_naming_the_field(loop, container, body, field):
    resp = loop.user("zheng").post("/command-mode", body)
    assert resp.status_code == 400 and field in resp.get_json()["error"]["fields"], resp.get_json()
    with container.uow() as uow:
        assert uow.session.scalars(select(CommandModeSwitch)).all() == []
