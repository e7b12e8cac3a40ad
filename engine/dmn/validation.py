"""Upload-time checks of businessRuleTasks and the decisions uploaded with them, so that what
Camunda would refuse at deployment (or fail on at run time) is refused before any case runs.
Problems go to the caller's ``report(element_id, line, message)``, which collects them with the
diagram's other problems (engine.bpmn.validation)."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from .model import Decision
from .parser import CAMUNDA
from .task import MAPPINGS, ONE_OUTPUT_MAPPINGS, DecisionTask

Report = Callable[[str, int | None, str], None]


def check_decisions(parsed, report: Report) -> None:
    """Check every businessRuleTask of ``parsed`` (an engine.bpmn.loader.ParsedProcess) and every
    decision uploaded with it."""
    tasks = [ts for spec in [parsed.spec, *parsed.subprocess_specs.values()]
             for ts in spec.task_specs.values() if isinstance(ts, DecisionTask)]
    decisions: dict[str, Decision] = {}
    for task in tasks:
        decisions.update(task.decisions)
    for task in tasks:
        if not _implemented_otherwise(parsed.tree, task.bpmn_id):
            _check_task(task, decisions, report)
    for decision in decisions.values():
        _check_decision(decision, decisions, report)


def _implemented_otherwise(tree, element_id: str) -> bool:
    """A Java class, delegate or external type instead of a decision: engine.bpmn.unsupported
    refuses those and says what to draw instead, so "no decisionRef" would only add noise."""
    node = tree.xpath("//*[@id=$id]", id=element_id)
    return bool(node) and any(node[0].get(f"{CAMUNDA}{name}") is not None
                              for name in ("class", "delegateExpression", "type"))


def _known(decisions: Mapping[str, Decision]) -> str:
    return ", ".join(decisions) or "none; upload the .dmn file(s) together with the diagram"


def _check_task(task: DecisionTask, decisions: Mapping[str, Decision], report: Report) -> None:
    element = task.bpmn_id
    if task.decision_ref is None:
        report(element, task.line, "no camunda:decisionRef: set it to the id of the decision to evaluate"
               f" (known decisions: {_known(decisions)})")
    elif task.decision_ref not in decisions:
        report(element, task.line, f"camunda:decisionRef {task.decision_ref!r} names no decision of the"
               f" uploaded DMN files (known decisions: {_known(decisions)})")
    mapping = task.map_decision_result
    if mapping is not None and mapping not in MAPPINGS:
        report(element, task.line, f"camunda:mapDecisionResult {mapping!r} is not one of {', '.join(MAPPINGS)}")
    if mapping is not None and task.result_variable is None:
        report(element, task.line, "camunda:mapDecisionResult needs camunda:resultVariable to store the result in")
    variable = task.result_variable
    if variable is not None and (not variable.isidentifier() or variable.startswith("_")):
        report(element, task.line, f"camunda:resultVariable {variable!r} is not a usable variable name"
               " (letters, digits and '_', not starting with '_' or a digit)")
    decision = decisions.get(task.decision_ref or "")
    if mapping in ONE_OUTPUT_MAPPINGS and decision is not None and decision.table is not None \
            and len(decision.table.outputs) != 1:
        report(element, task.line, f"camunda:mapDecisionResult {mapping!r} needs a decision with one output;"
               f" {decision.id!r} has {len(decision.table.outputs)}")


def _check_decision(decision: Decision, decisions: Mapping[str, Decision], report: Report) -> None:
    for line, message in decision.problems:
        report(decision.id, line, f"{decision.filename}: {message}")
    for required in decision.required:
        if required not in decisions:
            report(decision.id, decision.line, f"{decision.filename}: decision {decision.id!r} requires"
                   f" decision {required!r}, which no uploaded DMN file defines")
    cycle = _cycle(decision.id, decisions, ())
    if cycle:
        report(decision.id, decision.line, f"{decision.filename}: decision {decision.id!r} requires itself:"
               f" {' → '.join(cycle)}")


def _cycle(current: str, decisions: Mapping[str, Decision], path: tuple[str, ...]) -> tuple[str, ...]:
    """The first path of requirements from ``path[0]`` back to itself, if any."""
    if path and current == path[0]:
        return path + (current,)
    if current in path or current not in decisions:
        return ()
    for required in decisions[current].required:
        found = _cycle(required, decisions, path + (current,))
        if found:
            return found
    return ()
