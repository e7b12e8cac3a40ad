"""The four approval shapes every approval operation is tested on (issue: 会签/或签/依次 and
the bundles' parallel department approval), with the people who work them."""
from __future__ import annotations

from .bpmn import diagram, end, flow, script, start

PEOPLE = [("root", "admin", None), ("zhang", "citizen", None), ("sun", "clerk", None),
          ("a1", "approver", None), ("a2", "approver", None), ("a3", "approver", None),
          ("a4", "approver", None), ("h1", "handler", None), ("i1", "inspector", None),
          ("wu", "supervisor", None)]


def _step(task_id: str, groups: str = "clerk", due: str = "2wd") -> str:
    return (f'<bpmn:userTask id="{task_id}" name="{task_id}" camunda:candidateGroups="{groups}" '
            f'camunda:dueDate="{due}"><bpmn:extensionElements><camunda:formData>'
            f'<camunda:formField id="{task_id}_ok" type="boolean"/></camunda:formData>'
            f'</bpmn:extensionElements></bpmn:userTask>')


def _signers(condition: str, sequential: bool = False) -> str:
    cond = (f'<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">{condition}</bpmn:completionCondition>'
            if condition else "")
    return ('<bpmn:userTask id="sign" name="会签" camunda:assignee="${signer}" camunda:dueDate="3wd">'
            '<bpmn:extensionElements><camunda:formData><camunda:formField id="approved" type="boolean"/>'
            '</camunda:formData></bpmn:extensionElements>'
            f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}" '
            f'camunda:collection="${{signers}}" camunda:elementVariable="signer">{cond}'
            '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>')


def _sign_off(key: str, condition: str, sequential: bool = False) -> bytes:
    """apply (clerk) → the signers → approved? archive (clerk) : end."""
    return diagram(key, "\n".join([
        start("title"), _step("apply"), script("who", "signers = ['a1', 'a2', 'a3']; approved = True"),
        _signers(condition, sequential), '<bpmn:exclusiveGateway id="gw" default="f_gw_rejected"/>',
        _step("archive"), end(), end("rejected"),
        flow("start", "apply", "who", "sign", "gw", "archive", "end", condition={("gw", "archive"): "${approved}"}),
        '<bpmn:sequenceFlow id="f_gw_rejected" sourceRef="gw" targetRef="rejected"/>']))


COUNTERSIGN = _sign_off("countersign", "${nrOfCompletedInstances / nrOfInstances &gt;= 2 / 3 || approved == false}")
OR_SIGN = _sign_off("or_sign", "${nrOfCompletedInstances &gt;= 1}")
SEQUENTIAL = _sign_off("sequential_sign", "${approved == false}", sequential=True)

PARALLEL_DEPARTMENTS = diagram("department_approval", "\n".join([
    start("title"), _step("apply"), '<bpmn:parallelGateway id="split"/>',
    _step("dept_market", "approver", "5wd"), _step("dept_health", "handler", "5wd"),
    _step("dept_fire", "inspector", "5wd"), '<bpmn:parallelGateway id="join"/>', _step("result"), end(),
    flow("start", "apply", "split"), flow("split", "dept_market", "join"), flow("split", "dept_health", "join"),
    flow("split", "dept_fire", "join"), flow("join", "result", "end")]))

DIAGRAMS = {"countersign": COUNTERSIGN, "or_sign": OR_SIGN, "sequential_sign": SEQUENTIAL,
            "department_approval": PARALLEL_DEPARTMENTS}


def approval_world(client, container, extra_people=(), extra_diagrams=()) -> dict:
    """Everyone in PEOPLE (plus ``extra_people``) signed in, and the four diagrams (plus
    ``extra_diagrams``, (key, bytes) pairs) deployed: name → ApiUser."""
    from .api import ApiUser
    from .directory import make_user

    people = [*PEOPLE, *extra_people]
    for name, role, unit in people:
        make_user(container, name, role, org_unit=unit)
    users = {name: ApiUser(client, name) for name, _, _ in people}
    for key, body in [*DIAGRAMS.items(), *extra_diagrams]:
        assert users["root"].upload((f"{key}.bpmn", body)).status_code == 201
    return users
