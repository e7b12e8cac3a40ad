"""Eight weeks of demo history for ``make demo``, so that the cockpit's trends and the supervision
reports (日报/周报/月报) have a city to show: about 120 event-loop reports in both districts,
walked through the engine's own services by the people at each desk, each step at the moment it
was done on a frozen clock of its own.

All the reports play out on one timeline, in the order things happened: the reporting, each
step, and one past 平战切换 (东城区 in emergency for a day). A step's moment is drawn from its own
deadline, inside it or past it, so KPIs such as 按期办结率 come out of the real time limits. A
step whose moment lies after now is left open: that is the work still waiting today. Some cases
are placed around last month and last week, so that each list of their reports has members.
A fixed seed makes every demo the same city."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from heapq import heapify, heappop, heappush
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine import services
from engine.models import Task, User, UserRole
from engine.models.cases import TASK_OPEN_STATES
from engine.services import command_mode
from engine.services.supervision_reports import set_monthly_report
from notifications import inbox

from .demo_cases import Desks

PREFIX = "demo-history:"  # business keys: apart from demo_cases' ``demo:`` ones
PROCESS = "event_closed_loop"
SEED = 12345
DAYS = 84
PER_DAY = {"working": (3, 4, 5, 6), "weekend": (1, 2, 3)}  # drawn reports a day, besides the placed ones
LEADER_EMAIL = "leader@demo.invalid"
FLOOD = ("汛期强降雨", "降雨过程结束，恢复常态")  # the reasons for switching 东城区 to emergency and back

PLACES = {"D-EAST": ("和平路", "解放路", "建设路", "人民大道", "东三环辅路", "朝阳街", "和平一社区"),
          "D-WEST": ("振兴路", "西城大街", "文化路", "光明小区", "西河沿", "长青路")}
HEPING = ("和平路", "和平一社区")  # in 和平街道: its inspector verifies
PROBLEMS = {  # category: (how often, what people report)
    "urban.appearance.exposed_rubbish": (10, ("垃圾堆放未清运", "绿化带内暴露垃圾")),
    "urban.appearance.piled_materials": (5, ("人行道乱堆建材", "楼道外堆放杂物")),
    "urban.appearance.street_drying": (2, ("沿街晾晒衣物",)),
    "urban.street_order.road_trading": (7, ("早市占道经营", "夜市摊点占道")),
    "urban.street_order.outside_shop": (5, ("餐馆出店经营", "商户占用人行道摆放货物")),
    "urban.street_order.vendors": (4, ("流动摊贩聚集",)),
    "urban.street_order.billboard": (2, ("违规设置广告牌",)),
    "urban.construction.illegal_building": (2, ("楼顶私搭乱建",)),
    "municipal.road.pothole": (8, ("路面坑洼", "人行道砖破损")),
    "municipal.road.manhole_cover": (4, ("井盖缺失", "井盖破损异响")),
    "municipal.lighting.streetlight_out": (6, ("路灯不亮", "路灯白天常亮")),
    "water.drainage.waterlogging": (3, ("路段积水",)),
    "water.drainage.blocked_drain": (4, ("雨水篦子堵塞", "污水井外溢")),
    "water.supply.outage": (3, ("小区停水",)),
    "water.supply.burst_pipe": (2, ("供水管道漏水",)),
    "traffic.parking.illegal_car": (6, ("机动车违停占用人行道",)),
    "traffic.parking.bicycles": (4, ("共享单车乱停放",)),
    "traffic.congestion.jam": (2, ("路口早高峰拥堵",)),
    "safety.fire.lane_blocked": (3, ("消防通道被占用",)),
    "safety.gas.leak": (1, ("闻到燃气异味",)),
    "other.general.other": (3, ("夜间噪音扰民", "树木倒伏")),
}
SLOW = ("urban.street_order", "urban.appearance.piled_materials", "municipal")  # 7 working days to handle
RESULTS = {"urban": ("已清理完毕", "已劝导商户整改"), "municipal": ("已修复", "已更换配件"),
           "water": ("已疏通", "已抢修完毕"), "traffic": ("已联系交警处理", "已清理"),
           "safety": ("已清理通道", "已关阀排查"), "other": ("已协调处理", "已答复市民")}
RETURNS = (("overlapping_duties", "属职能交叉事项，建议改派"), ("wrong_territory", "不在本单位辖区"),
           ("unclear_ownership", "设施权属不清，无法处置"))
VOIDS = (("out_of_scope", "咨询社保卡补办"), ("invalid", "来电无声"), ("test", "系统测试"),
         ("harassment", "反复无理来电"))
CONSULTED = {"D-EAST": "东城区城管局、东城区水务局、和平街道办事处", "D-WEST": "西城区城管局、市城市管理局"}
VERIFIED = ("Task_verify", {"verified": True, "verify_note": "现场已恢复"})
COMPLAINTS = ("问题反复出现", "处理不彻底", "没有实质解决")
SATISFACTION = (("satisfied", 74), ("basic", 18), ("unsatisfied", 8))
HOURLY = (1, 0, 0, 0, 0, 1, 2, 4, 8, 10, 10, 9, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1)  # reports by local hour
LATE_ODDS = {"Task_preprocess": .02, "Task_triage": .06, "Task_signfor": .03, "Task_handle": .07,
             "Task_verify": .04}


class Pace(NamedTuple):
    """When a step is done: after ``share`` of the time it was allowed, or ``late_h`` hours after
    its deadline."""

    share: float = 0.0
    late_h: float = 0.0

    def moment(self, opened_at: datetime, due_at: datetime) -> datetime:
        if self.late_h:
            return due_at + timedelta(hours=self.late_h)
        return opened_at + (due_at - opened_at) * self.share


class Move(NamedTuple):
    element: str
    data: dict
    pace: Pace | None  # None: nobody has got to it yet, so the case is still open there


class Story(NamedTuple):
    key: str
    received_at: datetime
    reporter: str  # the demo user who registers the report
    report: dict
    moves: list[Move]
    master: str | None = None  # a duplicate: the key of the case its 预处理 merges it into


class Plan(NamedTuple):
    """What happens to an accepted report."""

    district: str
    category: str
    channel: str
    grade: str = "C"
    urgency: str = "normal"
    route: str = "auto"  # auto (一键直达), triage (人工分拨), escalate (提级, or the command centre), consult
    returns: int = 0  # 退单: once, re-dispatched; twice, the second review sends it to 会商
    hold_until: date | None = None  # 挂账, approved at once, until that day
    late: frozenset = frozenset()  # the steps done after their deadline
    verify_fail: bool = False
    satisfaction: tuple = ("satisfied",)  # each evaluation in turn: an unsatisfied one is reviewed
    at_fault: bool = True  # … and found the department's fault: handled once more
    stall: str | None = None  # the step nobody has got to: still open now


def _department(district: str, category: str, grade: str) -> str:
    """Where the rule table (dispatch_department.dmn) or a dispatcher sends it."""
    if grade == "A" or category == "safety.gas.leak":
        return "CITY-CG"
    return "D-EAST-SW" if category.startswith("water.") and district == "D-EAST" else f"{district}-CG"


def _other(department: str, district: str) -> str:
    """Where a returned case goes instead."""
    return {"D-EAST-CG": "D-EAST-SW", "D-EAST-SW": "D-EAST-CG", "D-WEST-CG": "CITY-CG"}.get(department,
                                                                                          f"{district}-CG")


def _by_rule(district: str, category: str) -> bool:
    """Whether the rule table dispatches it at once (一键直达)."""
    top = category.split(".")[0]
    return category != "urban.construction.illegal_building" and (
        top in ("urban", "municipal") or (top == "water" and district == "D-EAST"))


class Teller:
    """Draws the reports and what becomes of them, from one seeded generator."""

    def __init__(self, now: datetime, tz: ZoneInfo) -> None:
        self.rng, self.now, self.tz = random.Random(SEED), now, tz
        self.today = now.astimezone(tz).date()

    def day(self, first: date, days: float, hour: float) -> datetime:
        """``days`` after local midnight of ``first``, at ``hour`` local time."""
        return datetime.combine(first, time(), self.tz) + timedelta(days=days, hours=hour)

    def moments(self) -> list[datetime]:
        """When the drawn reports came in over the last DAYS days: a few each day, fewer at
        weekends, mostly in the daytime, none after now."""
        r, found = self.rng, []
        for back in range(DAYS):
            day = self.today - timedelta(days=back)
            for _ in range(r.choice(PER_DAY["working" if day.weekday() < 5 else "weekend"])):
                at = self.day(day, 0, r.choices(range(24), HOURLY)[0] + r.random())
                found += [at] if at < self.now - timedelta(minutes=30) else []
        return sorted(found)

    def on_time(self) -> Pace:
        return Pace(share=self.rng.uniform(.08, .55))

    def late(self) -> Pace:
        return Pace(late_h=self.rng.uniform(2, 40))

    def category(self) -> str:
        return self.rng.choices(list(PROBLEMS), [w for w, _ in PROBLEMS.values()])[0]

    def report(self, district: str, category: str, channel: str) -> tuple[str, dict]:
        """Who registers it, and the report's start data."""
        r = self.rng
        place = "和平一社区" if channel == "grid" else r.choice(PLACES[district])
        title = place + r.choice(PROBLEMS[category][1])
        data = {"title": title, "address": f"{place}{r.randint(1, 300)}号附近", "district": district,
                "channel": channel, "reporter_name": r.choice("王李张刘陈杨赵黄周吴") + r.choice(("先生", "女士")),
                "reporter_phone": f"1{r.choice('3589')}{r.randrange(10 ** 9):09d}"}
        if place in HEPING:
            data["street"] = "S-HEPING"
        if channel == "grid":
            data |= {"grid": "G-HEPING-1-01", "reporter_name": "和平一社区网格员"}
        if channel == "sensor":
            data |= {"category": category, "device_id": f"WL-{r.randint(1, 80):04d}",
                     "description": f"电子水尺读数 {r.randint(15, 40)}cm，超阈值"}
        reporter = {"hotline": "operator", "grid": "grid01", "sensor": "sensor-gateway"}.get(channel, "citizen")
        return reporter, data

    def channel(self, district: str, category: str) -> str:
        if category == "water.drainage.waterlogging" and self.rng.random() < .5:
            return "sensor"
        channel = self.rng.choices(("hotline", "app", "web", "grid"), (45, 30, 12, 13))[0]
        return "hotline" if channel == "grid" and district != "D-EAST" else channel

    def plan(self, district: str, category: str, channel: str, emergency: bool) -> Plan:
        r = self.rng
        grade = "A" if r.random() < .04 else r.choice("CCCB")
        urgency = "urgent" if emergency or r.random() < .08 else "normal"
        if grade == "A" or emergency:
            route = "escalate"
        else:
            route = "auto" if _by_rule(district, category) and r.random() > .1 else "triage"
        first = r.choices(*zip(*SATISFACTION))[0]
        at_fault = r.random() < .7
        again = (r.choice(("satisfied", "basic")),) if first == "unsatisfied" and at_fault else ()
        return Plan(district, category, channel, grade, urgency, route, returns=int(r.random() < .07),
                    late=frozenset(s for s, odds in LATE_ODDS.items() if r.random() < odds),
                    verify_fail=r.random() < .05, satisfaction=(first, *again), at_fault=at_fault)

    def accepted(self, key: str, at: datetime, plan: Plan) -> Story:
        reporter, report = self.report(plan.district, plan.category, plan.channel)
        return Story(key, at, reporter, report, self.moves(plan))

    def moves(self, p: Plan) -> list[Move]:
        """The steps of the plan in the diagram's order, each with its pace, up to a stall."""
        steps = self.steps(p)
        stall = next((n for n, (element, _) in enumerate(steps) if element == p.stall), len(steps))
        moves = [Move(e, d, self.late() if e in p.late else self.on_time()) for e, d in steps[:stall]]
        return moves + ([Move(steps[stall][0], steps[stall][1], None)] if p.stall else [])

    def steps(self, p: Plan) -> list[tuple[str, dict]]:
        triaged = p.route in ("triage", "consult")
        intake = [("Task_preprocess", {"decision": "accept"}),
                  ("Task_classify", {"category": p.category, "grade": p.grade, "urgency": p.urgency,
                                     "needs_triage": triaged and _by_rule(p.district, p.category)})]
        return intake + self.dispatching(p) + self.handling(p) + self.closing(p)

    def dispatching(self, p: Plan) -> list[tuple[str, dict]]:
        """From 分拨 to the department that signs for it (or that 会商 names, which handles it)."""
        department = _department(p.district, p.category, p.grade)
        dispatch = {"dispatch_action": "dispatch", "department": department, "dispatch_note": "请按时限处置"}
        consult = ("Task_consult", {"department": department, "consult_units": CONSULTED[p.district],
                                    "consult_minutes": "经会商，明确由属地主管部门牵头处置"})
        steps = {"escalate": [("Task_escalate", dispatch)], "triage": [("Task_triage", dispatch)], "auto": [],
                 "consult": [("Task_triage", {"dispatch_action": "consult", "dispatch_note": "职责交叉，提请会商"}),
                             consult]}[p.route]
        if p.returns:
            reason, note = self.rng.choice(RETURNS)
            steps += [("Task_signfor", {"signfor": "return", "return_reason": reason, "return_note": note}),
                      ("Task_return_review", {"return_decision": "redispatch",
                                              "department": _other(department, p.district),
                                              "review_note": "理由成立，改派"})]
        if p.returns > 1:
            steps += [("Task_signfor", {"signfor": "return", "return_reason": "overlapping_duties",
                                        "return_note": "非本部门职责"}),
                      ("Task_return_review", {"return_decision": "consult", "review_note": "两次退单，提请会商定责"}),
                      consult]
        return steps + ([("Task_signfor", {"signfor": "accept"})] if steps[-1:] != [consult] else [])

    def handling(self, p: Plan) -> list[tuple[str, dict]]:
        """处置 (after 挂账, if any) and 核查, failing once if so planned."""
        steps = [("Task_handle", {"handle_action": "hold", "hold_reason": "需专项资金，列入改造计划"}),
                 ("Task_hold_approve", {"hold_decision": "approved", "hold_until": p.hold_until.isoformat(),
                                        "hold_note": "同意挂账，到期复核"}),
                 ("Task_hold_release", {"release_note": "资金已落实，恢复处置"})] if p.hold_until else []
        handled = self.handled(p)
        if p.verify_fail:
            steps += [handled, ("Task_verify", {"verified": False, "verify_note": "现场仍有遗留，重新处置"})]
        return steps + [handled, VERIFIED]

    def handled(self, p: Plan) -> tuple[str, dict]:
        return "Task_handle", {"handle_action": "done", "result": self.rng.choice(RESULTS[p.category.split(".")[0]])}

    def closing(self, p: Plan) -> list[tuple[str, dict]]:
        """评价 (app, web) or 回访 (hotline) in turn; an unsatisfied one screened and, at the
        department's fault, handled and verified once more. Grid and sensor reports get neither."""
        asked = {"hotline": "Task_callback", "app": "Task_evaluate", "web": "Task_evaluate"}.get(p.channel)
        remark = "evaluation_comment" if asked == "Task_evaluate" else "callback_note"
        steps = []
        for satisfaction in p.satisfaction if asked else ():
            note = self.rng.choice(COMPLAINTS) if satisfaction == "unsatisfied" else "处理及时"
            steps.append((asked, {"satisfaction": satisfaction, remark: note}))
            if satisfaction == "unsatisfied":
                steps.append(("Task_unsatisfied_review", {"dept_at_fault": p.at_fault, "fault_note": "经甄别"}))
                steps += [self.handled(p), VERIFIED] if p.at_fault else []
        return steps

    def duplicate(self, master: Story, key: str, after_h: float, channel: str) -> Story:
        """The same problem reported again while the master is open: 预处理 merges it (重复件)."""
        reporter, report = self.report(master.report["district"], "other.general.other", channel)
        report |= {"title": master.report["title"], "address": master.report["address"]}
        move = Move("Task_preprocess", {"decision": "duplicate", "preprocess_note": "与在办工单为同一问题"},
                    self.on_time())
        return Story(key, master.received_at + timedelta(hours=after_h), reporter, report, [move], master.key)

    def voided(self, key: str, at: datetime, district: str) -> Story:
        reason, title = self.rng.choice(VOIDS)
        _, report = self.report(district, "other.general.other", "hotline")
        move = Move("Task_preprocess", {"decision": "void", "void_reason": reason, "preprocess_note": title},
                    self.on_time())
        return Story(key, at, "operator", report | {"title": title}, [move])


def _stories(t: Teller, flood: tuple[datetime, datetime]) -> list[Story]:
    """The drawn reports, and the placed ones around last month and last week."""
    stories = []
    for n, at in enumerate(t.moments()):
        district, category = t.rng.choice(("D-EAST",) * 3 + ("D-WEST",) * 2), t.category()
        if t.rng.random() < .05:
            stories.append(t.voided(f"{n:03d}", at, district))
            continue
        emergency = district == "D-EAST" and flood[0] <= at < flood[1]
        story = t.accepted(f"{n:03d}", at, t.plan(district, category, t.channel(district, category), emergency))
        stories.append(story)
        if category.startswith(SLOW) and t.rng.random() < .08:
            stories.append(t.duplicate(story, f"{n:03d}-dup", t.rng.uniform(.5, 3), "hotline"))
    return stories + _placed(t, flood[0])


def _placed(t: Teller, flood_at: datetime) -> list[Story]:
    """Cases that make each list of last month's and last week's reports, the work still overdue
    now, and the reports of the flood."""
    month = (t.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    week = t.today - timedelta(days=t.today.weekday() + 7)
    master_month = t.accepted("month-master", t.day(month, 5, 9.5), Plan(
        "D-WEST", "urban.street_order.road_trading", "hotline"))
    master_week = t.accepted("week-master", t.day(week, 2, 10.2), Plan(
        "D-EAST", "municipal.road.manhole_cover", "app", satisfaction=("basic",)))
    flood = Plan("D-EAST", "water.drainage.waterlogging", "hotline", urgency="urgent", route="escalate")
    return [
        t.accepted("stalled", t.day(month, -21, 9.7), Plan(  # 久拖不决 and 应办未办, still open now
            "D-EAST", "municipal.road.pothole", "hotline", grade="A", route="escalate", stall="Task_handle")),
        t.accepted("on-hold", t.day(month, -12, 15.3), Plan(  # 挂账 since, until next month
            "D-EAST", "urban.construction.illegal_building", "hotline", route="triage",
            hold_until=t.today + timedelta(days=45), stall="Task_hold_release")),
        t.accepted("hold-released", t.day(month, 2, 10.5), Plan(
            "D-EAST", "municipal.lighting.streetlight_out", "app", hold_until=month + timedelta(days=16))),
        t.accepted("rehandled", t.day(month, 3, 14.1), Plan(  # 反复投诉: re-handled after 不满意
            "D-EAST", "urban.street_order.outside_shop", "app", satisfaction=("unsatisfied", "basic"))),
        master_month, t.duplicate(master_month, "month-dup", 2, "app"),
        t.accepted("returned-twice", t.day(month, 9, 11.2), Plan(  # 推诿扯皮
            "D-EAST", "urban.appearance.piled_materials", "hotline", returns=2)),
        t.accepted("consulted", t.day(month, 16, 9.1), Plan(
            "D-EAST", "traffic.congestion.jam", "hotline", route="consult")),
        t.accepted("week-returned-twice", t.day(week, 1, 9.4), Plan(
            "D-WEST", "urban.street_order.billboard", "app", returns=2)),
        master_week, t.duplicate(master_week, "week-dup", 1.5, "hotline"),
        t.accepted("overdue-pothole", t.day(t.today, -12, 8.8), Plan(
            "D-WEST", "municipal.road.pothole", "hotline", stall="Task_handle")),
        t.accepted("overdue-outage", t.day(t.today, -4, 19.5), Plan(
            "D-EAST", "water.supply.outage", "hotline", stall="Task_handle")),
        t.accepted("overdue-signfor", t.day(t.today, -5, 16.4), Plan(
            "D-EAST", "traffic.parking.bicycles", "app", route="triage", stall="Task_signfor")),
        t.accepted("overdue-verify", t.day(t.today, -3, 10.6), Plan(
            "D-WEST", "urban.appearance.exposed_rubbish", "app", stall="Task_verify")),
        t.accepted("flood-1", flood_at + timedelta(hours=1.2), flood),
        t.accepted("flood-2", flood_at + timedelta(hours=2.5), flood._replace(channel="sensor")),
        t.accepted("flood-3", flood_at + timedelta(hours=4), flood._replace(
            category="water.drainage.blocked_drain", channel="app", late=frozenset({"Task_handle"}))),
        t.accepted("flood-4", flood_at + timedelta(hours=6.5), flood._replace(category="other.general.other")),
        t.accepted("flood-west", flood_at + timedelta(hours=3), flood._replace(district="D-WEST", route="triage")),
    ]


def _desk(session, task: Task) -> int:
    """Who takes the step: its assignee, else the first demo user (by name) among its candidates."""
    if task.assignee_id:
        return task.assignee_id
    for c in task.candidates:
        found = c.user_id or session.scalar(
            select(UserRole.user_id).join(User, User.id == UserRole.user_id)
            .where(UserRole.role == c.role, UserRole.org_unit_id == c.org_unit_id).order_by(User.username).limit(1))
        if found:
            return found
    raise LookupError(f"no demo user can take {task.name} (task {task.id})")


class Run:
    """One story under way: its case, and the step it waits for next."""

    def __init__(self, story: Story, numbers: dict[str, str]) -> None:
        self.story, self.numbers = story, numbers
        self.case_id, self.task_id, self.desk, self.done = None, None, None, 0

    def act(self, desks: Desks) -> datetime | None:
        """Take the story's next action at the desks' moment; returns when the one after it is due."""
        s = self.story
        if self.case_id is None:
            with desks.office.uow() as uow:
                case = services.start_case(uow, PROCESS, s.report, desks.uid(s.reporter), business_key=PREFIX + s.key)
            self.case_id, self.numbers[s.key] = case["id"], case["number"]
        else:
            data = s.moves[self.done].data
            if s.master and self.done == 0:
                data = data | {"master_case": int(self.numbers[s.master])}
            with desks.office.uow() as uow:
                services.complete_task(uow, self.task_id, data, self.desk)
            self.done += 1
        return self._following(desks) if self.done < len(s.moves) else None

    def _following(self, desks: Desks) -> datetime | None:
        move = self.story.moves[self.done]
        with desks.office.uow() as uow:
            task = uow.session.scalar(select(Task).where(Task.case_id == self.case_id, Task.element_id == move.element,
                                                         Task.state.in_(TASK_OPEN_STATES)))
            if task is None:
                raise LookupError(f"history case {self.story.key} has no open {move.element}")
            self.task_id, self.desk = task.id, _desk(uow.session, task)
            return move.pace.moment(task.created_at, task.due_at) if move.pace else None


class Switch(NamedTuple):
    """平战切换 of 东城区 by the leader, at the desks' moment (switch reads the uow's clock)."""

    mode: str
    reason: str

    def act(self, desks: Desks) -> None:
        with desks.office.uow() as uow:
            command_mode.switch(uow, desks.uid("leader"), self.mode, "D-EAST", self.reason)


def _play(desks: Desks, timeline: list[tuple[datetime, object]]) -> None:
    """Act on the timeline in the order things happened, until now."""
    queue = [(at, n, item) for n, (at, item) in enumerate(timeline)]
    heapify(queue)
    count = len(queue)
    while queue and queue[0][0] <= desks.now:
        at, _, item = heappop(queue)
        desks.at({"seconds": (desks.now - at).total_seconds()})
        following = item.act(desks)
        if following is not None:
            count += 1
            heappush(queue, (following, count, item))


def seed_history(desks: Desks) -> str:
    """Play the eight weeks, then subscribe the demo leader to the monthly report by e-mail.
    Returns the line seed-demo prints."""
    tz = ZoneInfo(desks.container.settings.timezone)
    teller = Teller(desks.now, tz)
    flood_at = teller.day(teller.today, -21, 15)
    flood = (flood_at, flood_at + timedelta(days=1))
    stories, numbers = _stories(teller, flood), {}
    _play(desks, [(s.received_at, Run(s, numbers)) for s in stories]
          + [(flood[0], Switch("emergency", FLOOD[0])), (flood[1], Switch("normal", FLOOD[1]))])
    leader = desks.uid("leader")
    with desks.container.uow() as uow:
        inbox.set_preferences(uow, leader, LEADER_EMAIL, None, [])
    with desks.container.uow() as uow:
        set_monthly_report(uow, leader, True)
    return (f"demo history: {len(numbers)} reports over {DAYS // 7} weeks; 东城区 in emergency mode from "
            f"{flood_at:%Y-%m-%d %H:%M} for a day ({FLOOD[0]}); leader gets the monthly report at {LEADER_EMAIL}")
