"""Synthetic cases of the event closed loop for the `kpis` benchmark: one case row and the step
rows (tasks) the engine would have written, with the mix a 12345 centre sees (voided and
merged reports, manual and escalated dispatch, returns, failed checks, late steps, unsatisfied
evaluations and re-handling), cut at "now" so that recent cases are still open.

Rows are tuples in the column order below, with datetimes as UTC text, which both SQLite and
PostgreSQL's COPY accept."""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

CASE_COLUMNS = ("id", "number", "definition_id", "process_key", "status", "title", "category", "district",
                "data", "state", "version", "created_at", "updated_at", "closed_at")
TASK_COLUMNS = ("id", "case_id", "spiff_task_id", "element_id", "name", "title", "role", "org_unit_id", "state",
                "due_at", "sla_limit", "sla_started_at", "paused_s", "sla_extensions", "due_provisional",
                "priority", "completed_at", "created_at", "draft", "kind")
LINK_COLUMNS = ("id", "case_id", "master_case_id", "created_at")

CATALOGUE = Path(__file__).resolve().parent.parent / "processes" / "event_closed_loop" / "categories.json"
DEPARTMENTS = {"urban": "CG", "municipal": "ZJ", "water": "SW", "traffic": "JT", "safety": "AJ", "other": "SC"}
CHANNELS = (("app", 35), ("web", 10), ("hotline", 45), ("grid", 7), ("sensor", 3))
# element: (name, role, limit in hours)
STEPS = {
    "Task_preprocess": ("预处理", "operator", 0.5), "Task_classify": ("分类定级", "operator", 0.5),
    "Task_triage": ("人工分拨", "dispatcher", 2), "Task_escalate": ("提级分拨", "dispatcher", 2),
    "Task_consult": ("争议会商", "dispatcher", 4), "Task_signfor": ("签收", "handler", 2),
    "Task_return_review": ("退单审核", "dispatcher", 2), "Task_handle": ("处置", "handler", 48),
    "Task_verify": ("核查", "inspector", 24), "Task_evaluate": ("评价", None, 72),
    "Task_callback": ("回访", "operator", 24), "Task_unsatisfied_review": ("不满意甄别", "dispatcher", 24),
}
HANDLE_LIMIT_H = {"urban": 4, "safety": 2, "water": 24}
LATE = 0.07        # share of steps completed after their deadline
STATE = os.urandom(2400)  # a completed case's stored workflow state is ~2.4 KB of gzip
EPOCH = datetime(1970, 1, 1)


def utc_text(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=seconds)).isoformat(" ", "microseconds")


def leaf_categories() -> list[str]:
    def walk(nodes: list[dict]):
        for node in nodes:
            yield from walk(node["children"]) if node.get("children") else (node["code"],)
    return list(walk(json.loads(CATALOGUE.read_text(encoding="utf-8"))["categories"]))


@dataclass
class Units:
    """Org unit ids by code: the 12345 centre, the city, each district and its departments."""

    ids: dict[str, int]
    districts: list[str]

    def department(self, district: str, category: str) -> int:
        return self.ids[f"{district}-{DEPARTMENTS[category.split('.')[0]]}"]


@dataclass
class Timeline:
    """One case's steps as they were planned, then cut at ``now``."""

    rng: random.Random
    now: float
    t: float
    steps: list[tuple] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    open: bool = False

    def step(self, element: str, unit: int | None, limit_h: float | None = None, outcome: dict | None = None,
             answered: bool = True) -> None:
        """Open ``element`` at the current time and complete it (late in LATE of cases); a step
        still running at ``now`` stays open and ends the timeline."""
        if self.open:
            return
        limit = (limit_h or STEPS[element][2]) * 3600
        created, due = self.t, self.t + limit
        late = self.rng.random() < LATE
        done = due + limit * self.rng.uniform(0.05, 1.5) if late else created + limit * self.rng.uniform(0.05, 0.9)
        if not answered:  # an evaluation nobody gave: the step is closed at its deadline
            self.steps.append((element, unit, created, due, None, "cancelled"))
            self.t = due
            return
        if done > self.now:
            self.steps.append((element, unit, created, due, None, "open"))
            self.open = True
            return
        self.steps.append((element, unit, created, due, done, "completed"))
        self.data.update(outcome or {})
        self.t = done + self.rng.uniform(1, 60)


class CaseMaker:
    """Cases received evenly from ``start`` to ``now`` (epoch seconds), in id order."""

    def __init__(self, units: Units, definition_id: int, start: float, now: float, total: int) -> None:
        self.units, self.definition_id = units, definition_id
        self.start, self.now, self.total = start, now, total
        self.rng = random.Random(15)
        self.categories = leaf_categories()
        self.category_weights = [1 / (i + 1) for i in range(len(self.categories))]
        self.district_weights = [1 / (i + 2) for i in range(len(units.districts))]
        self.channels, self.channel_weights = zip(*CHANNELS)
        self.task_id = self.link_id = 0

    def chunk(self, first: int, last: int) -> tuple[list, list, list]:
        """Rows of cases ``first``..``last - 1`` (1-based ids): cases, tasks, case links."""
        cases, tasks, links = [], [], []
        for case_id in range(first, last):
            case, steps, master = self._case(case_id)
            cases.append(case)
            for element, unit, created, due, done, state in steps:
                self.task_id += 1
                name, role, _ = STEPS[element]
                tasks.append((self.task_id, case_id, f"s{self.task_id}", element, name, case[5], role, unit, state,
                              utc_text(due), f"{(due - created) / 3600:g}h", utc_text(created), 0, "[]", 0, 50,
                              utc_text(done) if done is not None else None, utc_text(created), "{}", "step"))
            if master:
                self.link_id += 1
                links.append((self.link_id, case_id, master, utc_text(steps[0][4])))
        return cases, tasks, links

    def _case(self, case_id: int) -> tuple[tuple, list, int | None]:
        rng = self.rng
        received = self.start + (self.now - self.start) * (case_id - 0.5) / self.total
        district = rng.choices(self.units.districts, self.district_weights)[0]
        category = rng.choices(self.categories, self.category_weights)[0]
        channel = rng.choices(self.channels, self.channel_weights)[0]
        line = Timeline(rng, self.now, received, data=_start_data(channel, district))
        kind = rng.random()
        master = None
        if kind < 0.02:
            line.step("Task_preprocess", self.units.ids["CITY-12345"], outcome={"decision": "void"})
        elif kind < 0.05 and case_id > 1:
            master = rng.randrange(max(1, case_id - 500), case_id)
            line.step("Task_preprocess", self.units.ids["CITY-12345"], outcome={"decision": "duplicate"})
            master = master if not line.open else None
        else:
            self._closed_loop(line, district, category, channel)
        finished = not line.open and bool(line.steps)
        closed = line.steps[-1][4] or line.steps[-1][3] if finished else None
        title = line.data["title"]
        row = (case_id, f"K{case_id:013d}", self.definition_id, "event_closed_loop",
               "completed" if finished else "running", title,
               category if "category" in line.data else None, district,
               json.dumps(line.data), STATE, len(line.steps) + 1, utc_text(received),
               utc_text(closed or line.t), utc_text(closed) if closed else None)
        return row, line.steps, master

    def _closed_loop(self, line: Timeline, district: str, category: str, channel: str) -> None:
        rng, ids = self.rng, self.units.ids
        centre = ids["CITY-12345"]
        line.step("Task_preprocess", centre, outcome={"decision": "accept"})
        line.step("Task_classify", centre, outcome={"category": category, "grade": "C", "urgency": "normal"})
        dispatch = rng.random()
        if dispatch < 0.20:
            line.step("Task_triage", centre)
        elif dispatch < 0.23:
            line.step("Task_escalate", ids["CITY"])
        elif dispatch < 0.25:
            line.step("Task_consult", ids["CITY"])
        department = self.units.department(district, category)
        if rng.random() < 0.08:  # 退单 → 改派 to another district's department
            line.step("Task_signfor", department, outcome={"signfor": "return"})
            line.step("Task_return_review", centre, outcome={"return_decision": "redispatch"})
            department = self.units.department(rng.choice(self.units.districts), category)
        line.step("Task_signfor", department, outcome={"signfor": "accept"})
        if rng.random() < 0.015:  # stuck: handled long after everything else
            line.now = min(line.now, line.t + 3600)
        handle_h = HANDLE_LIMIT_H.get(category.split(".")[0])
        for round_ in range(2):
            self._handle_and_verify(line, department, ids[district], handle_h)
            if not self._evaluation(line, channel, centre, second=round_ == 1):
                return

    def _handle_and_verify(self, line: Timeline, department: int, district: int, handle_h) -> None:
        line.step("Task_handle", department, handle_h, outcome={"handle_action": "done"})
        if self.rng.random() < 0.06:  # 核查不通过: handled again
            line.step("Task_verify", district, outcome={"verified": False})
            line.step("Task_handle", department, handle_h)
        line.step("Task_verify", district, outcome={"verified": True})

    def _evaluation(self, line: Timeline, channel: str, centre: int, second: bool) -> bool:
        """The 评价/回访 step; True when an unsatisfied answer sends the case back to the department."""
        if channel in ("grid", "sensor"):
            return False
        element, unit = ("Task_evaluate", None) if channel in ("app", "web") else ("Task_callback", centre)
        answered = self.rng.random() >= 0.05
        unsatisfied = self.rng.random() < (0.3 if second else 0.1)
        satisfaction = "unsatisfied" if unsatisfied else self.rng.choice(("satisfied",) * 8 + ("basic",))
        line.step(element, unit, outcome={"satisfaction": satisfaction}, answered=answered)
        if not answered or not unsatisfied:
            return False
        line.step("Task_unsatisfied_review", centre, outcome={"dept_at_fault": True})
        return not second and self.rng.random() < 0.6


def _start_data(channel: str, district: str) -> dict:
    """What a report carries from the start: ~1 KB of JSON, like a real case's data."""
    return {"title": "和平路暴露垃圾", "description": "垃圾桶旁堆了三天，无人清运，气味很大，请尽快处理。",
            "address": "和平路12号东侧", "district": district, "lat": 39.915, "lng": 116.404,
            "reporter_name": "张三", "reporter_phone": "13800138000", "channel": channel, "photos": [],
            "grade": None, "urgency": None, "department": None, "result": None, "verify_note": None,
            "satisfaction": None, "evaluation_comment": None}


def epoch_seconds(at: datetime) -> float:
    return (at.astimezone(timezone.utc).replace(tzinfo=None) - EPOCH).total_seconds()
