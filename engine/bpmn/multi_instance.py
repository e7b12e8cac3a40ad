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
        if cardinality is None and element_var is not None:  # the collection is both input and output
            params |= {"data_input": TaskDataReference(collection), "input_item": TaskDataReference(element_var)}
        sequential = loop_characteristics.get("isSequential") == "true"
        cls = CamundaSequentialMultiInstance if sequential else CamundaParallelMultiInstance
        self.task = cls(self.spec, original.name, **params)
        self._copy_task_attrs(original, loop_characteristics)
        # The library connects this when it deserializes a spec or starts a round; our specs are
        # parsed once and cases restored on them, so a round restored in a fresh process needs it here.
        original.completed_event.connect(self.task.merge_child)


_ROUNDS = (CamundaParallelMultiInstance, CamundaSequentialMultiInstance)


def signer_round(task):
    """The multi-instance task a READY instance belongs to (its parent in the tree), or None."""
    mi = task.parent
    if mi is not None and isinstance(mi.task_spec, _ROUNDS) and task.task_spec.name == mi.task_spec.task_spec:
        return mi
    return None


def round_item(task) -> str | None:
    """What a READY instance of a round works on, as text for its inbox row: a bundle item's
    ``code``, a signer's username; None outside a round."""
    mi = signer_round(task)
    ref = mi.task_spec.input_item if mi is not None else None
    if ref is None or ref.bpmn_id not in task.data:
        return None
    value = task.data[ref.bpmn_id]
    return str(value.get("code") if isinstance(value, dict) else value)[:128]


def _items(mi) -> list:
    """The collection the instances run over (set as the round's input when parsed)."""
    return mi.task_spec.data_input.get(mi)


def pending_items(mi) -> dict:
    """Item (e.g. a signer's username) → its running instance, or None for a sequential item
    that has not started yet. Completed instances are not pending."""
    items = _items(mi)
    out = {items[c.internal_data["key_or_index"]]: c for c in mi.task_spec._instances(mi)
           if not c.has_state(TaskState.FINISHED_MASK)}
    out.update({items[i]: None for i in mi.internal_data.get("remaining", [])})
    return out


def add_instance(mi, item) -> None:
    """One more instance of a running parallel round: appended to the collection and created
    through the spec, so the completion condition counts it (nrOfInstances grows)."""
    items = _items(mi)
    items.append(item)
    mi.task_spec.create_child(mi, item, len(items) - 1)


def remove_instance(mi, item) -> None:
    """Drop a pending item: its running instance leaves the tree, the item leaves the collection
    (later indices shift down), and the round is settled as if it had just counted."""
    items, spec = _items(mi), mi.task_spec
    idx = items.index(item)
    child = pending_items(mi)[item]
    if child is not None:
        mi.workflow._remove_task(child.id)
    del items[idx]
    for c in spec._instances(mi):
        key = c.internal_data.get("key_or_index")
        if key is not None and key > idx:
            c.internal_data["key_or_index"] = key - 1
    if "remaining" in mi.internal_data:
        mi.internal_data["remaining"] = [i - (i > idx) for i in mi.internal_data["remaining"] if i != idx]
    _settle(mi)


def _settle(mi) -> None:
    """What merge_child decides after an instance completes, decided after a removal instead."""
    spec = mi.task_spec
    running = [c for c in spec._instances(mi) if not c.has_state(TaskState.FINISHED_MASK)]
    if spec.check_completion_condition(mi):
        for c in spec._instances(mi):
            c.cancel()
        mi._set_state(TaskState.READY)
    elif not running:
        if isinstance(spec, CamundaSequentialMultiInstance) and not spec.children_complete(mi):
            spec.add_next_child(mi)
        else:
            mi._set_state(TaskState.READY)


def signed_items(mi) -> set:
    """Items whose instance has completed in this round."""
    items = _items(mi)
    return {items[c.internal_data["key_or_index"]] for c in mi.task_spec._instances(mi)
            if c.state == TaskState.COMPLETED}
