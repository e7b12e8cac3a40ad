"""Our Camunda-dialect parser: SpiffWorkflow's, with the task-spec parsers extended (by table,
as its own ``camunda/`` package does) to read candidates, assignee, due date, priority, lanes,
and the start event's form."""
from __future__ import annotations

import re

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import IntermediateCatchEvent, ScriptTask, ServiceTask, StartEvent
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (CamundaBoundaryEventParser,
                                                        CamundaIntermediateCatchEventParser,
                                                        CamundaStartEventParser)
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, ScriptTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

from forms import FieldSpec, FormSpec

from ..dmn import DecisionTask, DecisionTaskParser
from .automatic import (CallActivityParser, CaseCallActivity, PassThroughManualTask, PassThroughTask,
                        ServiceTaskParser)
from ..candidates import split_entries
from .multi_instance import MultiInstanceParsing
from .specs import HumanTaskConfig

_ISO_LITERAL = re.compile(r"^(R\d*/.*|-?P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?)$")


def timer_expression(text: str | None) -> str:
    """Camunda Modeler writes bare ISO-8601 (``PT3S``); SpiffWorkflow evaluates timer text as an
    expression. Bare ISO values become string literals, ``${…}`` becomes its expression."""
    text = (text or "").strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].strip()
    if _ISO_LITERAL.match(text):
        return repr(text)
    return text


class _FormReader:
    """Reads ``camunda:formKey`` and ``camunda:formData`` from the node being parsed."""

    def read_form(self) -> FormSpec:
        key = self.attribute("formKey", "camunda") or None
        specs = []
        for xml_field in self.xpath(".//camunda:formData/camunda:formField"):
            constraints, choices, label = {}, [], xml_field.get("label") or ""
            for c in self._xpath(xml_field, "./camunda:validation/camunda:constraint"):
                constraints[c.get("name")] = c.get("config")
            for v in self._xpath(xml_field, "./camunda:value"):
                choices.append((v.get("id"), v.get("name") or v.get("id")))
            props = {p.get("id"): p.get("value") for p in
                     self._xpath(xml_field, "./camunda:properties/camunda:property")}
            specs.append(FieldSpec(
                name=xml_field.get("id") or "", type=xml_field.get("type") or "string", label=label,
                required="required" in constraints, readonly="readonly" in constraints,
                default=xml_field.get("defaultValue"),
                constraints={k: v for k, v in constraints.items() if k not in ("required", "readonly")},
                choices=tuple(choices), properties=props))
        return FormSpec(key=key, fields=tuple(specs))


class _HumanTaskReader(_FormReader):
    def read_config(self) -> HumanTaskConfig:
        props = self.parse_extensions()
        groups = self.attribute("candidateGroups", "camunda") or ""
        users = self.attribute("candidateUsers", "camunda") or ""
        return HumanTaskConfig(
            candidate_groups=tuple(split_entries(groups)),
            candidate_users=tuple(split_entries(users)),
            assignee=(self.attribute("assignee", "camunda") or "").strip() or None,
            form=self.read_form(),
            due=(self.attribute("dueDate", "camunda") or props.get("sla") or "").strip() or None,
            priority=(self.attribute("priority", "camunda") or props.get("priority") or "").strip() or None,
            lane=self.lane,
            line=self.node.sourceline,
            properties=props,
        )


class HumanTaskParser(_HumanTaskReader, MultiInstanceParsing, UserTaskParser):
    def create_task(self):
        spec = super().create_task()
        spec.civicflow = self.read_config()
        return spec


class ActivityParser(MultiInstanceParsing, CamundaTaskParser):
    """Abstract and manual tasks (and anything else parsed the plain Camunda way)."""


class ScriptParser(MultiInstanceParsing, ScriptTaskParser):
    pass


class _TimerText:
    def parse_timer_event(self, event):
        for tag in ("timeDate", "timeDuration", "timeCycle"):
            for node in self._xpath(event, f".//bpmn:{tag}"):
                node.text = timer_expression(node.text)
        return super().parse_timer_event(event)


class StartEventParser(_FormReader, _TimerText, CamundaStartEventParser):
    def create_task(self):
        spec = super().create_task()
        spec.civicflow_form = self.read_form()
        # camunda:initiator names the variable that receives the starting user's username.
        spec.civicflow_initiator = self.attribute("initiator", "camunda") or None
        return spec


class IntermediateCatchEventParser(_TimerText, CamundaIntermediateCatchEventParser):
    pass


class BoundaryEventParser(_TimerText, CamundaBoundaryEventParser):
    pass


class CivicFlowParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (HumanTaskParser, UserTask),
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
        full_tag("task"): (ActivityParser, PassThroughTask),
        full_tag("manualTask"): (ActivityParser, PassThroughManualTask),
        full_tag("scriptTask"): (ScriptParser, ScriptTask),
        full_tag("serviceTask"): (ServiceTaskParser, ServiceTask),
        full_tag("sendTask"): (ServiceTaskParser, ServiceTask),
        full_tag("callActivity"): (CallActivityParser, CaseCallActivity),
        full_tag("startEvent"): (StartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (BoundaryEventParser, BoundaryEvent),
    }
