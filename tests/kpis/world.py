"""Data sets for the KPI tests, built through the real API and services with the frozen clock,
so that every KPI value is known by construction (the tables in each docstring)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.services import calendar_admin
from tests.factories.directory import make_user
from tests.factories.event_loop import EventLoop, make_event_loop

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLASS_C = dict(grade="C", urgency="normal")
EAST = dict(address="和平路12号", district="D-EAST", lat=39.915, lng=116.404)


def move_to(clock, local: str) -> None:
    """Set the frozen clock to a Shanghai wall-clock time ("2026-11-24 11:00")."""
    target = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    clock.advance(seconds=(target - clock.now()).total_seconds())


def intake(loop: EventLoop, cid: int, category: str, **classify) -> None:
    loop.advance("li", cid, "Task_preprocess", decision="accept")
    loop.advance("li", cid, "Task_classify", category=category, **(classify or CLASS_C))


def handled_and_verified(loop: EventLoop, cid: int, handler: str) -> None:
    loop.advance(handler, cid, "Task_handle", handle_action="done", result="已处置")
    loop.advance("qian", cid, "Task_verify", verified=True)


def november(client, container, clock) -> EventLoop:
    """Seven reports in the week of Monday 2026-11-23 (Shanghai):

    ==  ======  ==========  =========================  ==========================================
    A   D-EAST  D-EAST-CG   exposed_rubbish, Mon 10:00  一键直达, done 12:00, satisfied         2 h
    B   D-WEST  (12345)     —, Mon 10:00                作废 (voided)
    C   D-EAST  (12345)     —, Mon 10:00                重复件 merged into A
    D   D-EAST  D-EAST-SW   manhole_cover, Mon 10:00    退单 → 改派; 挂账 refused after a day:
                                                        done Tue 15:00 on time only because the
                                                        hold paused the 4wh clock; 回访 basic   29 h
    E   D-EAST  D-EAST-CG   piled_materials, Tue 15:00  unsatisfied → 重办 → 办结 Wed 15:00,
                                                        unsatisfied again (not re-handled)       24 h
    F   D-WEST  D-WEST-CG   illegal_car, Wed 15:00      人工分拨 a day late (limit 2wh); open
    G   D-EAST  D-EAST-CG   exposed_rubbish, Thu 15:00  处置 late (4wh → Fri 10:00, done 11:00);
                                                        evaluation still pending                 20 h
    ==  ======  ==========  =========================  ==========================================
    """
    loop = make_event_loop(client, container)
    for category in ("urban.appearance.exposed_rubbish", "municipal.road.manhole_cover"):
        with container.uow() as uow:
            calendar_admin.set_time_limit(uow, None, "event_closed_loop", "Task_handle", "4wh", category=category)
    a = loop.report("zhang", title="A 暴露垃圾", channel="app", **EAST)
    loop.advance("li", a["id"], "Task_preprocess", decision="accept")
    c = loop.report("liu", title="C 暴露垃圾（重复）", channel="app", **EAST)
    loop.advance("li", c["id"], "Task_preprocess", decision="duplicate", master_case=int(a["number"]))
    loop.advance("li", a["id"], "Task_classify", category="urban.appearance.exposed_rubbish", **CLASS_C)
    loop.advance("zhao", a["id"], "Task_signfor", signfor="accept")
    b = loop.report("zhang", title="B 测试", address="无", district="D-WEST", channel="app")
    loop.advance("li", b["id"], "Task_preprocess", decision="void", void_reason="test")

    d = loop.report("li", title="D 井盖缺失", channel="hotline", reporter_phone="13900139000", **EAST)["id"]
    intake(loop, d, "municipal.road.manhole_cover")
    loop.advance("zhao", d, "Task_signfor", signfor="return", return_reason="unclear_ownership")
    loop.advance("wang", d, "Task_return_review", return_decision="redispatch", department="D-EAST-SW")
    loop.advance("sun", d, "Task_signfor", signfor="accept")
    move_to(clock, "2026-11-23 11:00")
    loop.advance("sun", d, "Task_handle", handle_action="hold", hold_reason="需协调管养单位")
    move_to(clock, "2026-11-23 12:00")
    handled_and_verified(loop, a["id"], "zhao")
    loop.advance("zhang", a["id"], "Task_evaluate", satisfaction="satisfied")
    move_to(clock, "2026-11-24 11:00")
    loop.advance("wu", d, "Task_hold_approve", hold_decision="refused", hold_note="先行处置")
    move_to(clock, "2026-11-24 15:00")
    handled_and_verified(loop, d, "sun")
    loop.advance("li", d, "Task_callback", satisfaction="basic")

    e = loop.report("zhang", title="E 乱堆物堆料", channel="app", **EAST)["id"]
    intake(loop, e, "urban.appearance.piled_materials")
    loop.advance("zhao", e, "Task_signfor", signfor="accept")
    handled_and_verified(loop, e, "zhao")
    loop.advance("zhang", e, "Task_evaluate", satisfaction="unsatisfied", evaluation_comment="没清完")
    loop.advance("wang", e, "Task_unsatisfied_review", dept_at_fault=True)
    move_to(clock, "2026-11-25 15:00")
    handled_and_verified(loop, e, "zhao")
    loop.advance("zhang", e, "Task_evaluate", satisfaction="unsatisfied", evaluation_comment="还有")
    loop.advance("wang", e, "Task_unsatisfied_review", dept_at_fault=True)

    f = loop.report("li", title="F 违停", address="解放路3号", district="D-WEST", channel="hotline")["id"]
    intake(loop, f, "traffic.parking.illegal_car")
    move_to(clock, "2026-11-26 15:00")
    loop.advance("wang", f, "Task_triage", dispatch_action="dispatch", department="D-WEST-CG")
    loop.advance("xi", f, "Task_signfor", signfor="accept")

    g = loop.report("zhang", title="G 暴露垃圾", channel="app", **EAST)["id"]
    intake(loop, g, "urban.appearance.exposed_rubbish")
    loop.advance("zhao", g, "Task_signfor", signfor="accept")
    move_to(clock, "2026-11-27 11:00")
    handled_and_verified(loop, g, "zhao")
    return loop


def new_year(client, container, clock) -> EventLoop:
    """Three app reports across the year boundary, each completed (核查通过) later, in D-EAST:

    ==  ===================  ===================  ======  ===================================
    Y0  Wed 2026-12-30 10:00  Thu 2026-12-31 10:00   24 h   1 wd, all in confirmed 2026
    Y1  Thu 2026-12-31 23:30  Mon 2027-01-04 10:00 82.5 h   1 wd: 1 Jan 元旦 (provisional 2027)
    Y2  Fri 2027-01-01 00:30  Mon 2027-01-04 10:00 81.5 h   1 wd                 and the weekend
    ==  ===================  ===================  ======  ===================================
    Y1 and Y2 are one hour apart but on different local days (the same UTC day).
    """
    loop = make_event_loop(client, container)
    make_user(container, "boss", "leader", org_unit="CITY")

    def report(title: str) -> int:
        cid = loop.report("zhang", title=title, channel="app", **EAST)["id"]
        intake(loop, cid, "urban.appearance.exposed_rubbish")
        loop.advance("zhao", cid, "Task_signfor", signfor="accept")
        return cid

    move_to(clock, "2026-12-30 10:00")
    y0 = report("Y0")
    move_to(clock, "2026-12-31 10:00")
    handled_and_verified(loop, y0, "zhao")
    move_to(clock, "2026-12-31 23:30")
    y1 = report("Y1")
    move_to(clock, "2027-01-01 00:30")
    y2 = report("Y2")
    move_to(clock, "2027-01-04 10:00")
    for cid in (y1, y2):
        handled_and_verified(loop, cid, "zhao")
    return loop
