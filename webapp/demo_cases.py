"""Demo cases for ``make demo``: event-loop cases in the states a 12345 centre meets every day,
made through the engine's public services exactly as the people at each desk would make them.

A few cases are reported in the past on a frozen clock, so that the real timer sweep finds their
deadlines warned, breached and escalated (提级); everything else happens minutes before now."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import select

from engine import services
from engine.clock import FrozenClock
from engine.models import Case, User
from engine.services import delegation, handover
from engine.timers import sweep

MARKER = "demo:"  # business-key prefix of every demo case: seeded once
SWEEPER = "seed-demo"


class Desks:
    """The demo's people at work: every step is one service call as that user, at a chosen moment."""

    def __init__(self, container) -> None:
        self.container = container
        self.now = container.clock.now()
        self.office = container
        self._ids: dict[str, int] = {}

    def at(self, ago: dict) -> None:
        """Act from here on at ``now - ago`` (e.g. ``{"hours": 30}``), on a clock of its own."""
        self.office = dataclasses.replace(self.container, clock=FrozenClock(self.now - timedelta(**ago)))

    def present(self) -> None:
        """Act from here on on the container's own clock (the real one under ``civicflow``)."""
        self.office = self.container

    def later(self, by: dict) -> None:
        self.office.clock.advance(**by)

    def sweep(self) -> int:
        """Fire the timers due at the current moment, as the scheduler would have then."""
        return sweep(self.office, SWEEPER)

    def uid(self, username: str) -> int:
        if username not in self._ids:
            with self.container.uow() as uow:
                self._ids[username] = uow.session.scalar(select(User.id).where(User.username == username))
        return self._ids[username]

    def start(self, key: str, who: str, process_key: str, data: dict) -> int:
        with self.office.uow() as uow:
            return services.start_case(uow, process_key, data, self.uid(who), business_key=MARKER + key)["id"]

    def task(self, who: str, case_id: int, element: str) -> int:
        """The id of ``element`` of the case in ``who``'s inbox (one of them for parallel steps)."""
        with self.office.uow() as uow:
            rows = services.list_tasks(uow, self.uid(who), scope="inbox", per_page=500)
        mine = [t["id"] for t in rows if t["case_id"] == case_id and t["element_id"] == element]
        if not mine:
            raise LookupError(f"{who} has no {element} on case {case_id}")
        return mine[0]

    def do(self, who: str, case_id: int, element: str, data: dict) -> None:
        task_id = self.task(who, case_id, element)
        with self.office.uow() as uow:
            services.complete_task(uow, task_id, data, self.uid(who))

    def send_back(self, who: str, case_id: int, element: str, reason: str) -> None:
        """退回 to the previous step, which goes back to whoever did it."""
        task_id = self.task(who, case_id, element)
        with self.office.uow() as uow:
            handover.return_task(uow, task_id, self.uid(who), reason)

    def delegate(self, who: str, case_id: int, element: str, to_user: str, reason: str) -> None:
        task_id = self.task(who, case_id, element)
        with self.office.uow() as uow:
            delegation.delegate(uow, task_id, self.uid(who), to_user, reason)

    def summary(self, case_id: int) -> str:
        with self.container.uow() as uow:
            case = services.get_case(uow, case_id, self.uid("admin"))
        steps = ", ".join(sorted({f"{t['name']}@{t['org_unit'] or t['assignee'] or t['role']}"
                                  for t in case["tasks"]}))
        return f"  {case['number']} {case['title'] or case['process_key']}: {steps or case['status']}"


def seeded(container) -> bool:
    """Whether the demo cases exist already (then seed-demo adds none)."""
    with container.uow() as uow:
        return uow.session.scalar(select(Case.id).where(Case.business_key.like(MARKER + "%")).limit(1)) is not None


def report(title: str, district: str, channel: str = "app", **more) -> dict:
    return {"title": title, "address": f"{title[:4]}附近", "district": district, "channel": channel,
            "reporter_name": "张市民", "reporter_phone": "13800138000", **more}


@dataclasses.dataclass(frozen=True)
class SendBack:
    """A step's data meaning 退回: the person at it returns it to the previous step instead."""
    reason: str


class EventCase(NamedTuple):
    key: str
    reporter: str
    ago: dict  # when it was reported, e.g. {"hours": 30}
    report: dict
    steps: list  # (who, element, data or SendBack)
    sweep_after: dict | None = None  # run the timer sweep this long after the last step


ACCEPT = ("operator", "Task_preprocess", {"decision": "accept"})


def classify(category: str, grade: str = "C", urgency: str = "normal", **more) -> tuple:
    return ("operator", "Task_classify", {"category": category, "grade": grade, "urgency": urgency, **more})


def handled(handler: str, result: str = "已处置完毕") -> list[tuple]:
    return [(handler, "Task_signfor", {"signfor": "accept"}),
            (handler, "Task_handle", {"handle_action": "done", "result": result})]


def city_dispatch(department: str = "CITY-CG") -> tuple:
    return ("chen", "Task_escalate", {"dispatch_action": "dispatch", "department": department,
                                      "dispatch_note": "市级牵头，区级配合"})


# The first case has been overdue for two weeks: its breach is swept at the time (level 1, 西城区)
# and the next climb (level 2, 示范市) by the final sweep, so it runs before anything else is late.
EVENT_CASES = [EventCase(*row) for row in [
    ("escalated", "citizen", {"days": 15}, report("小区消防通道被占用", "D-WEST", address="西城区振兴路8号小区"),
     [ACCEPT, classify("safety.fire.lane_blocked"),
      ("dispatcher", "Task_triage", {"dispatch_action": "dispatch", "department": "D-WEST-CG",
                                     "dispatch_note": "占用消防通道，城管牵头清理"}),
      ("xi", "Task_signfor", {"signfor": "accept"})], {"hours": 3}),  # 2 h to handle, breached an hour ago
    ("overdue", "citizen", {"hours": 30}, report("和平路供水管道破裂", "D-EAST"),
     [ACCEPT, classify("water.supply.burst_pipe"), ("sun", "Task_signfor", {"signfor": "accept"})]),
    ("warning", "operator", {"hours": 21}, report("和平一社区停水", "D-EAST", channel="hotline"),
     [ACCEPT, classify("water.supply.outage"), ("sun", "Task_signfor", {"signfor": "accept"})]),
    ("completed", "citizen", {"days": 3}, report("和平路暴露垃圾", "D-EAST", lat=39.915, lng=116.404),
     [ACCEPT, classify("urban.appearance.exposed_rubbish"), *handled("handler", "已清运"),
      ("qian-east", "Task_verify", {"verified": True, "verify_note": "现场已恢复"}),
      ("citizen", "Task_evaluate", {"satisfaction": "satisfied", "evaluation_comment": "处理很快"})]),
    ("evaluate", "citizen", {"hours": 5}, report("解放路沿街晾挂", "D-EAST"),
     [ACCEPT, classify("urban.appearance.street_drying"), *handled("handler", "已劝导商户收回"),
      ("qian-east", "Task_verify", {"verified": True})]),
    ("hold-district", "citizen", {"hours": 4}, report("和平路路灯整段不亮", "D-EAST"),
     [ACCEPT, classify("municipal.lighting.streetlight_out"), ("handler", "Task_signfor", {"signfor": "accept"}),
      ("handler", "Task_handle", {"handle_action": "hold", "hold_reason": "需更换整段电缆，列入明年改造计划"})]),
    ("hold-city", "citizen", {"hours": 3}, report("东三环立交桥下严重积水", "D-EAST", channel="web"),
     [ACCEPT, classify("water.drainage.waterlogging", grade="A", classify_note="多部门协同，提级办理"),
      city_dispatch(), ("shi", "Task_signfor", {"signfor": "accept"}),
      ("shi", "Task_handle", {"handle_action": "hold", "hold_reason": "需泵站改造，等待立项"})]),
    ("verify-district", "operator", {"hours": 3}, report("建设路道路坑洼", "D-EAST", channel="hotline"),
     [ACCEPT, classify("municipal.road.pothole"), *handled("handler", "已修补")]),
    ("verify-street", "citizen", {"hours": 2}, report("和平街出店经营", "D-EAST", street="S-HEPING"),
     [ACCEPT, classify("urban.street_order.outside_shop"), *handled("handler", "已劝导")]),
    ("verify-grid", "grid01", {"hours": 2}, report("和平一社区门口游商", "D-EAST", channel="grid", street="S-HEPING",
                                                  grid="G-HEPING-1-01"),
     [ACCEPT, classify("urban.street_order.vendors"), *handled("handler", "已劝离")]),
    ("city-signfor", "operator", {"hours": 1}, report("人民大道路面塌陷", "D-EAST", channel="hotline"),
     [ACCEPT, classify("municipal.road.pothole", grade="A", urgency="urgent"), city_dispatch()]),
    ("returned", "citizen", {"minutes": 40}, report("和平路乱堆物料", "D-EAST"),
     [ACCEPT, classify("urban.appearance.piled_materials"),
      ("handler", "Task_signfor", {"signfor": "return", "return_reason": "overlapping_duties",
                                   "return_note": "建筑垃圾应由住建部门处理"})]),
    ("signfor", "citizen", {"minutes": 30}, report("和平路口井盖缺失", "D-EAST"),
     [ACCEPT, classify("municipal.road.manhole_cover")]),
    ("sent-back", "operator", {"minutes": 20}, report("解放路交通拥堵", "D-EAST", channel="hotline"),
     [ACCEPT, classify("traffic.congestion.jam"),
      ("dispatcher", "Task_triage", SendBack("路口为施工围挡所致，请改为市政设施类"))]),
    ("grade-a", "citizen", {"minutes": 15}, report("东城区多处路段积水", "D-EAST", channel="web"),
     [ACCEPT, classify("water.drainage.waterlogging", grade="A", classify_note="影响范围大，提级办理")]),
    ("triage", "operator", {"minutes": 10}, report("解放路车辆违停堵路", "D-EAST", channel="hotline"),
     [ACCEPT, classify("traffic.parking.illegal_car")]),
    ("classify", "operator", {"minutes": 5}, report("深夜施工噪音", "D-WEST", channel="hotline"), [ACCEPT]),
    ("new-app", "citizen", {"minutes": 3}, report("和平路垃圾桶满溢", "D-EAST", lat=39.9151, lng=116.4041), []),
    ("new-sensor", "sensor-gateway", {"minutes": 1},
     report("积水告警：和平路下穿", "D-EAST", channel="sensor", category="water.drainage.waterlogging",
            device_id="WL-0042", description="电子水尺读数 32cm，超阈值"), []),
]]


def seed_event_cases(desks: Desks) -> Iterator[int]:
    """Start and walk each event case; yields the case ids."""
    for case in EVENT_CASES:
        desks.at(case.ago)
        case_id = desks.start(case.key, case.reporter, "event_closed_loop", case.report)
        for who, element, data in case.steps:
            if isinstance(data, SendBack):
                desks.send_back(who, case_id, element, data.reason)
            else:
                desks.do(who, case_id, element, data)
        if case.sweep_after:
            desks.later(case.sweep_after)
            desks.sweep()
        yield case_id
