"""``camunda:inputOutput``: input parameters set when a step becomes ready (so its form shows
them), output parameters when it completes. A value is literal text, ``${…}`` evaluated by the
restricted evaluator, or a ``camunda:list``/``camunda:map`` of those. Script parameters are
refused at upload (engine.bpmn.validation)."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expressions

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_C = f"{{{CAMUNDA_NS}}}"


def _value(node):
    """The parameter's value as stored: text, a list of values or a dict of entries."""
    nested = [c for c in node if isinstance(c.tag, str)]
    if nested and nested[0].tag == f"{_C}list":
        return [_value(v) for v in nested[0] if isinstance(v.tag, str)]
    if nested and nested[0].tag == f"{_C}map":
        return {e.get("key"): _value(e) for e in nested[0] if isinstance(e.tag, str)}
    return (node.text or "").strip()


def _resolve(value, data: dict):
    if isinstance(value, list):
        return [_resolve(v, data) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, data) for k, v in value.items()}
    if value[:2] in ("${", "#{") and value.endswith("}"):
        return expressions.evaluate(value[2:-1], data)
    return value


@dataclass(frozen=True)
class IoParameter:
    """Quacks like SpiffWorkflow's Assign: the spec runs ``assign`` on ready (inputs) and after
    running (outputs)."""

    name: str
    value: object

    def assign(self, from_task, to_task) -> None:
        to_task.data[self.name] = _resolve(self.value, from_task.data)


def _target_spec(process_specs, element_id: str):
    """The spec that does the element's work: a multi-instance step's instances, else itself."""
    found = [ts for spec in process_specs for ts in spec.task_specs.values() if ts.bpmn_id == element_id]
    children = [ts for ts in found if ts.name.endswith("[child]")]
    return (children or found or [None])[0]


def attach_io_mappings(tree, process_specs) -> None:
    """Give each element's spec the parameters its ``camunda:inputOutput`` declares."""
    for io in tree.iter(f"{_C}inputOutput"):
        element = io.getparent().getparent()
        spec = _target_spec(process_specs, element.get("id"))
        if spec is None:
            continue
        spec.pre_assign = [IoParameter(p.get("name"), _value(p)) for p in io.iter(f"{_C}inputParameter")]
        spec.post_assign = [IoParameter(p.get("name"), _value(p)) for p in io.iter(f"{_C}outputParameter")]
