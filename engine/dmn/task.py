"""The businessRuleTask as CivicFlow runs it: its decision is evaluated by engine.dmn.evaluation
and the result stored as Camunda 7 stores it (camunda:resultVariable with
camunda:mapDecisionResult) or, without a result variable, merged into the task data as
SpiffWorkflow always did, so that diagrams deployed before keep working."""
from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.util.deep_merge import DeepMerge

from .evaluation import DecisionEngine, DecisionError, Row
from .model import Decision

MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")
ONE_OUTPUT_MAPPINGS = ("singleEntry", "collectEntries")


class DecisionTask(BusinessRuleTask):
    """``decisions`` is every decision uploaded with the diagram, by id; ``line`` is the task's
    line in the diagram, for upload messages."""

    def __init__(self, wf_spec, name: str, decision_ref: str | None, decisions: Mapping[str, Decision],
                 result_variable: str | None = None, map_decision_result: str | None = None,
                 line: int | None = None, **kwargs) -> None:
        super().__init__(wf_spec, name, DecisionEngine(decisions, decision_ref), **kwargs)
        self.decision_ref, self.decisions = decision_ref, decisions
        self.result_variable, self.map_decision_result, self.line = result_variable, map_decision_result, line

    def _run_hook(self, my_task):
        try:
            decision = self.dmnEngine.decision
            rows = self.dmnEngine.rows(my_task.data)
            if self.result_variable:
                my_task.data[self.result_variable] = deepcopy(map_result(self.mapping(decision), decision, rows))
            else:
                my_task.data = DeepMerge.merge(my_task.data, deepcopy(merged(decision, rows)))
        except DecisionError as exc:
            raise WorkflowTaskException(str(exc), task=my_task, exception=exc) from exc
        # Skip BusinessRuleTaskMixin's own hook, which would evaluate again with SpiffWorkflow's engine.
        return super(BusinessRuleTaskMixin, self)._run_hook(my_task)

    def mapping(self, decision: Decision) -> str:
        """camunda:mapDecisionResult, else resultList: Camunda 7's default, so that a diagram
        migrated from Camunda gets the shape it was written for."""
        return self.map_decision_result or "resultList"


def map_result(mapping: str, decision: Decision, rows: list[Row]) -> object:
    """The value camunda:mapDecisionResult stores in the result variable."""
    if mapping == "resultList":
        return [dict(row) for row in rows]
    if mapping == "collectEntries":
        return [_only_entry(mapping, decision, row) for row in rows]
    if mapping not in MAPPINGS:
        raise DecisionError(f"camunda:mapDecisionResult {mapping!r} is not one of {', '.join(MAPPINGS)}")
    if len(rows) > 1:
        raise DecisionError(f"decision {decision.id!r} matched {len(rows)} rules, but"
                            f" camunda:mapDecisionResult {mapping!r} takes at most one")
    if not rows:
        return None
    return dict(rows[0]) if mapping == "singleResult" else _only_entry(mapping, decision, rows[0])


def _only_entry(mapping: str, decision: Decision, row: Row) -> object:
    if len(row) != 1:
        raise DecisionError(f"decision {decision.id!r} has {len(row)} outputs, but"
                            f" camunda:mapDecisionResult {mapping!r} takes exactly one")
    return next(iter(row.values()))


def merged(decision: Decision, rows: list[Row]) -> dict[str, object]:
    """SpiffWorkflow's result without a result variable: the row's outputs, or for a multi-row
    hit policy one list per output; nothing when no rule matched."""
    if not rows:
        return {}
    if decision.table.single_row:
        return dict(rows[0])
    return {name: [row[name] for row in rows] for name in decision.table.output_names()}
