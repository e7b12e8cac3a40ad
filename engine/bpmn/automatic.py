"""Task specs for the steps no person works: abstract and manual tasks (pass straight through, as
in Camunda), service tasks (an external task a worker completes, or a ``camunda:expression``),
and call activities (a linked child case of another deployed process).

Specs that wait on the outside world (external tasks, call activities) are ``manual``: the
engine leaves them READY and ``engine.case_sync`` keeps a row for each, the way human tasks get
inbox rows. Completing one is running it, as for a user task."""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask, ServiceTask
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser

from .multi_instance import MultiInstanceParsing

_CAMUNDA = f"{{{CAMUNDA_MODEL_NS}}}"


class PassThroughTask(NoneTask):
    """``bpmn:task``: nothing to do, so the token moves on."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class PassThroughManualTask(ManualTask):
    """``bpmn:manualTask``: done outside any system; Camunda passes it straight through."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


@dataclass(frozen=True)
class ExternalConfig:
    topic: str
    priority: str | None = None


class ExternalServiceTask(ServiceTask):
    """``camunda:type="external"``: waits READY until a worker completes it over the API."""

    def __init__(self, wf_spec, bpmn_id, external: ExternalConfig, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.civicflow_external = external
        self.manual = True

    def _run_hook(self, my_task):
        return True


class ExpressionServiceTask(ServiceTask):
    """``camunda:expression``, evaluated by the restricted evaluator; the value goes to
    ``camunda:resultVariable`` when one is named."""

    def __init__(self, wf_spec, bpmn_id, expression: str, result_variable: str | None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.expression = expression
        self.result_variable = result_variable

    def _run_hook(self, my_task):
        value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        if self.result_variable:
            my_task.data[self.result_variable] = value
        return True


@dataclass(frozen=True)
class CallConfig:
    """What a call activity starts and which variables cross: ``ins``/``outs`` are
    (source, target) pairs, a source being a variable name or ``${expression}``; ``all_in``/
    ``all_out`` are ``camunda:in variables="all"``. Without any mapping nothing flows."""

    called_element: str
    binding: str = "latest"  # latest | version | deployment (read as latest)
    version: str | None = None
    business_key: str | None = None
    ins: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    outs: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    all_in: bool = False
    all_out: bool = False


class CaseCallActivity(ServiceTask):
    """``bpmn:callActivity``: waits READY while its child case runs; the child's end runs it."""

    def __init__(self, wf_spec, bpmn_id, call: CallConfig, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.civicflow_call = call
        self.manual = True

    def _run_hook(self, my_task):
        return True


def _expression(text: str | None) -> str | None:
    text = (text or "").strip()
    if text[:2] in ("${", "#{") and text.endswith("}"):
        return text[2:-1].strip()
    return text or None


def _as_expression(text: str | None) -> str | None:
    """``sourceExpression`` as Camunda writes it (``${x}``) or bare (``x``), as ``${…}``."""
    inner = _expression(text)
    return f"${{{inner}}}" if inner else None


class ServiceTaskParser(MultiInstanceParsing, CamundaTaskParser):
    """Service (and send) tasks by their Camunda implementation attribute. One we cannot run
    (``camunda:class``, ``delegateExpression``, nothing at all) is refused at upload by
    ``engine.bpmn.validation``; it still parses here so that the refusal can name it."""

    def create_task(self):
        kind = self.node.get(f"{_CAMUNDA}type")
        if kind == "external":
            external = ExternalConfig(topic=(self.node.get(f"{_CAMUNDA}topic") or "").strip(),
                                      priority=self.node.get(f"{_CAMUNDA}taskPriority"))
            return ExternalServiceTask(self.spec, self.bpmn_id, external=external, **self.bpmn_attributes)
        expression = _expression(self.node.get(f"{_CAMUNDA}expression"))
        if expression:
            return ExpressionServiceTask(self.spec, self.bpmn_id, expression=expression,
                                         result_variable=self.node.get(f"{_CAMUNDA}resultVariable"),
                                         **self.bpmn_attributes)
        return ServiceTask(self.spec, self.bpmn_id, **self.bpmn_attributes)


class CallActivityParser(MultiInstanceParsing, CamundaTaskParser):
    """A call activity names a process deployed on its own, found when the step starts."""

    def create_task(self):
        node = self.node
        ins, outs, all_in, all_out, business_key = [], [], False, False, None
        for tag, pairs in (("in", ins), ("out", outs)):
            for mapping in self.xpath(f"./bpmn:extensionElements/camunda:{tag}"):
                if mapping.get("variables") == "all":
                    all_in, all_out = (True, all_out) if tag == "in" else (all_in, True)
                elif mapping.get("businessKey") and tag == "in":
                    business_key = mapping.get("businessKey")
                else:
                    source = mapping.get("source") or _as_expression(mapping.get("sourceExpression"))
                    if source and mapping.get("target"):
                        pairs.append((source, mapping.get("target")))
        call = CallConfig(called_element=(node.get("calledElement") or "").strip(),
                          binding=node.get(f"{_CAMUNDA}calledElementBinding") or "latest",
                          version=node.get(f"{_CAMUNDA}calledElementVersion"),
                          business_key=business_key, ins=tuple(ins), outs=tuple(outs),
                          all_in=all_in, all_out=all_out)
        return CaseCallActivity(self.spec, self.bpmn_id, call=call, **self.bpmn_attributes)


def external_config(task_spec) -> ExternalConfig | None:
    return getattr(task_spec, "civicflow_external", None)


def call_config(task_spec) -> CallConfig | None:
    return getattr(task_spec, "civicflow_call", None)
