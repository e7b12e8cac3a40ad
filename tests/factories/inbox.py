"""A handler's inbox with something in every column: cases of two categories in two districts,
deadlines of different lengths (so the traffic lights differ once the clock moves), one case
urged (督办) by a supervisor. Everything through the engine's services."""
from __future__ import annotations

from dataclasses import dataclass

from engine import services
from engine.services import supervision

from .bpmn import diagram, end, flow
from .directory import make_org_tree, make_user

CATEGORIES = (("urban.appearance.exposed_rubbish", "城市管理/市容环境/暴露垃圾"),
              ("urban.street_order.road_trading", "城市管理/街面秩序/占道经营"))


def _diagram() -> bytes:
    choices = "".join(f'<camunda:value id="{code}" name="{name}"/>' for code, name in CATEGORIES)
    start = ('<bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>'
             '<camunda:formField id="title" type="string"/><camunda:formField id="district" type="string"/>'
             f'<camunda:formField id="category" type="enum">{choices}</camunda:formField>'
             '<camunda:formField id="limit" type="string"/><camunda:formField id="urgency" type="long"/>'
             '</camunda:formData></bpmn:extensionElements></bpmn:startEvent>')
    handle = ('<bpmn:userTask id="handle" name="处置" camunda:candidateGroups="handler@D-EAST-CG" '
              'camunda:dueDate="${limit}" camunda:priority="${urgency}"><bpmn:extensionElements><camunda:formData>'
              '<camunda:formField id="done" type="boolean"/></camunda:formData></bpmn:extensionElements></bpmn:userTask>')
    return diagram("street_report", start + handle + end() + flow("start", "handle", "end"), name="街面事件处置")


@dataclass
class InboxWorld:
    handler: int
    colleague: int
    supervisor: int
    cases: dict[str, dict]  # by title

    def task_id(self, title: str) -> int:
        return self.cases[title]["tasks"][0]["id"]


# title, district, category, limit, priority
CASES = (("和平路暴露垃圾", "东城区", CATEGORIES[0][0], "4wh", 50),
         ("解放路占道经营", "东城区", CATEGORIES[1][0], "3wd", 80),
         ("人民路暴露垃圾", "西城区", CATEGORIES[0][0], "1h", 30))


def make_inbox_world(container) -> InboxWorld:
    """Three open tasks for handlers of D-EAST-CG; the 解放路 case is urged."""
    make_org_tree(container)
    handler = make_user(container, "li", "handler", org_unit="D-EAST-CG")
    colleague = make_user(container, "zhao", "handler", org_unit="D-EAST-CG")
    boss = make_user(container, "sun", "supervisor")
    citizen = make_user(container, "zhang", "citizen")
    with container.uow() as uow:
        services.deploy(uow, [("street_report.bpmn", _diagram())], None)
    cases = {}
    for title, district, category, limit, priority in CASES:
        with container.uow() as uow:
            cases[title] = services.start_case(uow, "street_report", {
                "title": title, "district": district, "category": category, "limit": limit,
                "urgency": priority}, citizen)
    with container.uow() as uow:
        supervision.urge(uow, cases["解放路占道经营"]["id"], boss, "群众反映强烈，请尽快处置")
    return InboxWorld(handler, colleague, boss, cases)
