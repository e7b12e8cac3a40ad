"""Small Camunda-dialect diagrams for conformance tests, written as a Camunda Modeler user
would (no layout: the engine does not need BPMNDI). ``flow`` links elements in a chain."""
from __future__ import annotations

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')


def diagram(key: str, body: str, extra: str = "", name: str | None = None) -> bytes:
    """A deployable definitions document with one executable process ``key``."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="defs_{key}" '
            f'targetNamespace="http://civicflow.test">\n{extra}\n'
            f'<bpmn:process id="{key}" name="{name or key}" isExecutable="true">\n{body}\n'
            f'</bpmn:process>\n</bpmn:definitions>\n').encode()


def flow(*ids: str, condition: dict[tuple[str, str], str] | None = None) -> str:
    """Sequence flows from each element to the next; ``condition`` maps (source, target) to a
    condition expression on that flow."""
    out = []
    for source, target in zip(ids, ids[1:]):
        cond = (condition or {}).get((source, target))
        body = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{cond}</bpmn:conditionExpression>'
                if cond else "")
        out.append(f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}">'
                   f'{body}</bpmn:sequenceFlow>')
    return "\n".join(out)


def user_task(task_id: str, groups: str = "clerk", field: str = "ok", extra_attrs: str = "",
              inner: str = "") -> str:
    """A user task with one boolean form field, done by ``groups``."""
    return (f'<bpmn:userTask id="{task_id}" name="{task_id}" camunda:candidateGroups="{groups}" {extra_attrs}>'
            f'<bpmn:extensionElements><camunda:formData><camunda:formField id="{field}" type="boolean"/>'
            f'</camunda:formData>{inner}</bpmn:extensionElements></bpmn:userTask>')


def start(fields: str = "") -> str:
    """A none start event with string form fields named in ``fields`` (comma-separated)."""
    form = "".join(f'<camunda:formField id="{f.strip()}" type="string"/>' for f in fields.split(",") if f.strip())
    return (f'<bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>{form}'
            f'</camunda:formData></bpmn:extensionElements></bpmn:startEvent>')


def end(end_id: str = "end") -> str:
    return f'<bpmn:endEvent id="{end_id}"/>'


def script(task_id: str, code: str) -> str:
    return f'<bpmn:scriptTask id="{task_id}" scriptFormat="python"><bpmn:script>{code}</bpmn:script></bpmn:scriptTask>'
