"""A data set for the supervision reports (日报/周报/月报), built through the API with the frozen
clock from October to November 2026, so that each list's members are known by construction.

=====  ==========  ======  ===================================================================
case   received    unit    what happens (all 东城区 D-EAST except W)
=====  ==========  ======  ===================================================================
L      Mon 10-26   CG      处置 left open (due 11-04): 应办未办; open 25 wd on 11-30: 久拖不决.
                           A duplicate merged into it on 10-26: 反复投诉 in October only
X      Tue 10-27   CG      办结 (核查 passed) on 10-27; the citizen's 评价 left open: in no list
B2     Wed 10-28   CG→SW   退单 on 10-28 (October: once), 改派 to 水务局, whose 签收 lies overdue
                           over the month's end (October's 应办未办); 退单 again on 11-03:
                           推诿扯皮 in November (twice: 城管局, 水务局), then 强制派发 and done
K      Mon 11-02   CG      处置 left open: 应办未办, but open exactly 20 wd on 11-30: not 久拖不决
B1     Tue 11-03   CG→SW   退单 once, 改派, done: in no list
M      Mon 11-09   CG      a duplicate merged into it on 11-09: 反复投诉; done
H      Tue 11-10   SW      挂账 approved on 11-10, still on hold: 久拖不决
C1     Mon 11-16   CG      人工分拨 sent it to 争议会商: 推诿扯皮; done
E      Tue 11-17   CG      评价不满意 → 重办 on 11-17: 反复投诉; done
W      Fri 11-20   西城 CG  签收 left open (due 11-20 12:00): 应办未办, in 西城区 (not the 东城区 督办's)
=====  ==========  ======  ===================================================================

The clock ends at Tuesday 2026-12-01 00:10, when the scheduler's job runs for November.
"""
from __future__ import annotations

from tests.factories.event_loop import EventLoop, make_event_loop
from tests.kpis.world import EAST, handled_and_verified, intake, move_to

RUBBISH, DRAIN = "urban.appearance.exposed_rubbish", "water.drainage.blocked_drain"


def _report(loop: EventLoop, title: str, category: str = RUBBISH, **classify) -> int:
    cid = loop.report("zhang", title=title, channel="app", **EAST)["id"]
    intake(loop, cid, category, **classify)
    return cid


def _done(loop: EventLoop, cid: int) -> None:
    handled_and_verified(loop, cid, "zhao")
    loop.advance("zhang", cid, "Task_evaluate", satisfaction="satisfied")


def _merged_into(loop: EventLoop, master: int, title: str) -> None:
    number = int(loop.case(master)["number"])
    dup = loop.report("liu", title=title, channel="app", **EAST)["id"]
    loop.advance("li", dup, "Task_preprocess", decision="duplicate", master_case=number)


def _returned(loop: EventLoop, cid: int, by: str, then: str, **review) -> None:
    loop.advance(by, cid, "Task_signfor", signfor="return", return_reason="unclear_ownership")
    loop.advance("wang", cid, "Task_return_review", return_decision=then, **review)


def supervision_world(client, container, clock) -> dict[str, int]:
    """Build the cases of the table above; returns their ids by letter."""
    loop = make_event_loop(client, container)
    ids: dict[str, int] = {}
    move_to(clock, "2026-10-26 10:00")
    ids["L"] = _report(loop, "L 暴露垃圾久拖")
    loop.advance("zhao", ids["L"], "Task_signfor", signfor="accept")
    _merged_into(loop, ids["L"], "L 重复反映")
    move_to(clock, "2026-10-27 10:00")
    ids["X"] = _report(loop, "X 暴露垃圾已办结")
    loop.advance("zhao", ids["X"], "Task_signfor", signfor="accept")
    handled_and_verified(loop, ids["X"], "zhao")
    move_to(clock, "2026-10-28 10:00")
    ids["B2"] = _report(loop, "B2 两次退单")
    _returned(loop, ids["B2"], "zhao", "redispatch", department="D-EAST-SW")
    move_to(clock, "2026-11-02 10:00")
    ids["K"] = _report(loop, "K 暴露垃圾二十个工作日")
    loop.advance("zhao", ids["K"], "Task_signfor", signfor="accept")
    move_to(clock, "2026-11-03 10:00")
    _returned(loop, ids["B2"], "sun", "confirm")
    handled_and_verified(loop, ids["B2"], "sun")
    loop.advance("zhang", ids["B2"], "Task_evaluate", satisfaction="satisfied")
    ids["B1"] = _report(loop, "B1 一次退单")
    _returned(loop, ids["B1"], "zhao", "redispatch", department="D-EAST-SW")
    loop.advance("sun", ids["B1"], "Task_signfor", signfor="accept")
    handled_and_verified(loop, ids["B1"], "sun")
    loop.advance("zhang", ids["B1"], "Task_evaluate", satisfaction="satisfied")
    move_to(clock, "2026-11-09 10:00")
    ids["M"] = _report(loop, "M 暴露垃圾有重复件")
    _merged_into(loop, ids["M"], "M 重复反映")
    loop.advance("zhao", ids["M"], "Task_signfor", signfor="accept")
    _done(loop, ids["M"])
    move_to(clock, "2026-11-10 10:00")
    ids["H"] = _report(loop, "H 排水管道挂账", DRAIN)
    loop.advance("sun", ids["H"], "Task_signfor", signfor="accept")
    loop.advance("sun", ids["H"], "Task_handle", handle_action="hold", hold_reason="需管网改造")
    loop.advance("wu", ids["H"], "Task_hold_approve", hold_decision="approved", hold_note="同意挂账")
    move_to(clock, "2026-11-16 10:00")
    ids["C1"] = _report(loop, "C1 权属争议", grade="C", urgency="normal", needs_triage=True)
    loop.advance("wang", ids["C1"], "Task_triage", dispatch_action="consult")
    loop.advance("wang", ids["C1"], "Task_consult", department="D-EAST-CG", consult_units="东城区城管局、东城区水务局",
                 consult_minutes="会商确定由城管局处置")
    _done(loop, ids["C1"])
    move_to(clock, "2026-11-17 10:00")
    ids["E"] = _report(loop, "E 不满意重办")
    loop.advance("zhao", ids["E"], "Task_signfor", signfor="accept")
    handled_and_verified(loop, ids["E"], "zhao")
    loop.advance("zhang", ids["E"], "Task_evaluate", satisfaction="unsatisfied", evaluation_comment="没清完")
    loop.advance("wang", ids["E"], "Task_unsatisfied_review", dept_at_fault=True)
    _done(loop, ids["E"])
    move_to(clock, "2026-11-20 10:00")
    ids["W"] = loop.report("zhang", title="W 西城违停", channel="app", address="解放路3号", district="D-WEST")["id"]
    intake(loop, ids["W"], "urban.street_order.road_trading")
    move_to(clock, "2026-12-01 00:10")
    return ids
