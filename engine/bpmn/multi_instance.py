"""Multi-instance as Camunda 7 runs it: ``camunda:collection="${signers}"`` with
``camunda:elementVariable``, a ``completionCondition`` that reads ``nrOfInstances``,
``nrOfCompletedInstances`` and ``nrOfActiveInstances``, and what each instance's step sets
(e.g. its ``approved``) landing in the case's data, as Camunda's variable scopes do."""
from __future__ import annotations

from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask, SequentialMultiInstanceTask
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.util.task import TaskState

_EXPR = ("${", "#{")


def _name(text: str | None) -> str | None:
    """``${signers}`` → ``signers``: the collection is read from the case's data by name."""
    text = (text or "").strip()
    if text[:2] in _EXPR and text.endswith("}"):
        text = text[2:-1].strip()
    return text or None


class _CamundaCounts:
    def instance_counts(self, my_task) -> dict:
        instances = list(self._instances(my_task))
        merged = my_task.internal_data.get("merged", [])
        active = sum(1 for t in instances if not t.has_state(TaskState.FINISHED_MASK))
        total = my_task.internal_data.get("cardinality")
        if total is None:
            total = len(instances) + len(my_task.internal_data.get("remaining", []))
        return {"nrOfInstances": total, "nrOfCompletedInstances": len(merged), "nrOfActiveInstances": active}

    def check_completion_condition(self, my_task):
        merged = my_task.internal_data.get("merged", [])
        if not merged or self.condition is None:
            return False
        last = next(c for c in my_task.children if str(c.id) == merged[-1])
        return my_task.workflow.script_engine.evaluate(last, self.condition,
                                                       external_context=self.instance_counts(my_task))

    def merge_child(self, workflow, child):
        local = {ref.bpmn_id for ref in (self.output_item, self.input_item, self.data_output) if ref is not None}
        child.parent.data.update({k: v for k, v in child.data.items() if k not in local})
        super().merge_child(workflow, child)


class CamundaParallelMultiInstance(_CamundaCounts, ParallelMultiInstanceTask):
    pass


class CamundaSequentialMultiInstance(_CamundaCounts, SequentialMultiInstanceTask):
    pass


class MultiInstanceParsing:
    """For task parsers: builds our multi-instance specs in place of SpiffWorkflow's Camunda ones."""

    def _add_multiinstance_task(self, loop_characteristics):
        prefix = "bpmn:multiInstanceLoopCharacteristics"
        cardinality = self.xpath(f"./{prefix}/bpmn:loopCardinality")
        cardinality = cardinality[0].text if len(cardinality) > 0 else None
        collection = _name(self.attribute("collection", "camunda", loop_characteristics))
        if cardinality is None and collection is None:
            self.raise_validation_exception("a multi-instance task needs camunda:collection or a loopCardinality")
        element_var = _name(self.attribute("elementVariable", "camunda", loop_characteristics))
        condition = self.xpath(f"./{prefix}/bpmn:completionCondition")
        condition = condition[0].text if len(condition) > 0 else None
        original = self.spec.task_specs.pop(self.task.name)
        params = {"task_spec": "", "cardinality": cardinality,
                  "data_output": TaskDataReference(collection) if collection is not None else None,
                  "output_item": TaskDataReference(element_var) if element_var is not None else None,
                  "condition": condition}
        sequential = loop_characteristics.get("isSequential") == "true"
        cls = CamundaSequentialMultiInstance if sequential else CamundaParallelMultiInstance
        self.task = cls(self.spec, original.name, **params)
        self._copy_task_attrs(original, loop_characteristics)
