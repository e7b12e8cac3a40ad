"""Deploy-time checks of an uploaded diagram, beyond what SpiffWorkflow's parser checks: nothing
we cannot run as drawn (see unsupported), every human task has candidates and a form, every
expression and script passes the restricted evaluator. Every problem names its element id and line."""
from __future__ import annotations


from forms import get_schema

from .. import expressions
from ..calendar import parse_limit
from ..dmn import check_decisions
from ..candidates import expressions_in, lane_role, parse_group
from ..models import ROLES
from .automatic import external_config
from .cron import is_quartz_cron
from .loader import ParsedProcess
from .parser import timer_expression
from .specs import HumanTaskConfig, human_config
from .unsupported import CAMUNDA_NS, NS, Problems, find_unsupported, owner_id, runs_as_python



class _Problems(Problems):
    def check_expression(self, element: str, line: int | None, text: str) -> None:
        try:
            expressions.check_expression(text)
        except expressions.ExpressionError as exc:
            self.add(element, line, f"expression {text!r} refused: {exc.reason}")


RESERVED_IDS = ("Start", "End")  # SpiffWorkflow names its own start and end specs so


def _check_reserved_ids(parsed: ParsedProcess, problems: _Problems) -> None:
    for node in parsed.tree.xpath("//bpmn:process//*[@id]", namespaces=NS):
        if node.get("id") in RESERVED_IDS:
            problems.add(node.get("id"), node.sourceline,
                         f"element id {node.get('id')!r} is reserved by the engine; rename it (e.g. StartEvent_1)")


def _check_xml_expressions(parsed: ParsedProcess, problems: _Problems) -> None:
    tree = parsed.tree
    for cond in tree.xpath("//bpmn:conditionExpression | //bpmn:completionCondition"
                           " | //bpmn:loopCondition | //bpmn:loopCardinality", namespaces=NS):
        if runs_as_python(cond) and cond.get(f"{{{CAMUNDA_NS}}}resource") is None:  # else refused as unsupported
            problems.check_expression(owner_id(cond), cond.sourceline, (cond.text or "").strip())
    for script in tree.xpath("//bpmn:scriptTask", namespaces=NS):
        body = script.find("bpmn:script", namespaces=NS)
        if body is None or not runs_as_python(script):
            continue  # refused as unsupported (another language, or a camunda:resource)
        try:
            expressions.check_script(body.text or "")
        except expressions.ExpressionError as exc:
            line = body.sourceline + (exc.line - 1 if exc.line else 0)
            problems.add(script.get("id"), line, f"script refused: {exc.reason}")
    for timer in tree.xpath("//bpmn:timeDate | //bpmn:timeDuration | //bpmn:timeCycle", namespaces=NS):
        if not is_quartz_cron(timer.text):  # a cron is read by the timer-start sweep, no expression
            problems.check_expression(owner_id(timer), timer.sourceline, timer_expression(timer.text))
        elif not timer.tag.endswith("timeCycle"):
            problems.add(owner_id(timer), timer.sourceline, "a cron expression is only valid in a timeCycle")
        elif not timer.getparent().getparent().tag.endswith("startEvent"):
            # a waiting case's timers are the workflow's own, which read ISO text only
            problems.add(owner_id(timer), timer.sourceline, "cron cycles run on timer start events only;"
                         " use an ISO 8601 cycle here (e.g. R/PT1H, R/2026-12-01T09:00/P1D)")


def _check_camunda_expressions(parsed: ParsedProcess, problems: _Problems) -> None:
    """The expressions Camunda attributes carry (service task expressions, multi-instance
    collections, call activity mappings, input/output parameters) pass the same evaluator."""
    tree = parsed.tree
    for node in tree.xpath("//bpmn:process//*[@camunda:expression or @camunda:collection]", namespaces=NS):
        for name in ("expression", "collection"):
            if node.get(f"{{{CAMUNDA_NS}}}{name}"):
                problems.check_expression(owner_id(node), node.sourceline, node.get(f"{{{CAMUNDA_NS}}}{name}"))
    for node in tree.xpath("//camunda:in[@sourceExpression] | //camunda:out[@sourceExpression]", namespaces=NS):
        problems.check_expression(owner_id(node), node.sourceline, node.get("sourceExpression"))
    for value in tree.xpath("//camunda:inputOutput//*[not(*)]", namespaces=NS):  # parameters, list items
        for expr in expressions_in(value.text or ""):
            problems.check_expression(owner_id(value), value.sourceline, expr)


def _check_candidates(element: str, cfg: HumanTaskConfig, known_org_codes: set[str],
                      problems: _Problems) -> None:
    if not cfg.candidate_groups and not cfg.candidate_users and not cfg.assignee and not lane_role(cfg.lane):
        problems.add(element, cfg.line, "no candidate: set camunda:candidateGroups, camunda:candidateUsers or "
                     "camunda:assignee, or place the task in a lane named after a role")
    for group in cfg.candidate_groups:
        if expressions_in(group):
            for expr in expressions_in(group):
                problems.check_expression(element, cfg.line, expr)
            continue
        cand = parse_group(group)
        if cand.role is not None and cand.role not in ROLES:
            problems.add(element, cfg.line, f"candidate group {group!r}: unknown role {cand.role!r}")
        if cand.org_code is not None and cand.org_code not in known_org_codes:
            problems.add(element, cfg.line, f"candidate group {group!r}: no org unit with code {cand.org_code!r}"
                         f" (roles are: {', '.join(ROLES)})")
    for expr in [e for text in (cfg.assignee or "", *cfg.candidate_users) for e in expressions_in(text)]:
        problems.check_expression(element, cfg.line, expr)


def _check_form(element: str, line: int | None, form, problems: _Problems, required: bool) -> None:
    if form.key and get_schema(form.key) is None:
        # Camunda uses a formKey in preference to formData: a key we cannot resolve is an error.
        problems.add(element, line, f"form key {form.key!r} is not a registered form")
    elif required and not form.key and not form.fields:
        problems.add(element, line, "no form: set camunda:formKey to a registered form or declare camunda:formData")
    for spec in form.fields:
        for message in spec.problems():
            problems.add(element, line, message)
        for name in ("required_if", "merge_into"):
            if spec.properties.get(name):
                problems.check_expression(element, line, spec.properties[name])


def _check_human_task(element: str, cfg: HumanTaskConfig, known_org_codes: set[str],
                      problems: _Problems) -> None:
    _check_candidates(element, cfg, known_org_codes, problems)
    _check_form(element, cfg.line, cfg.form, problems, required=True)
    if cfg.due and not expressions_in(cfg.due):
        try:
            parse_limit(cfg.due)
        except ValueError as exc:
            problems.add(element, cfg.line, f"due date {cfg.due!r}: {exc}")
    _check_priority(element, cfg.line, cfg.priority, problems)


def _check_priority(element: str, line: int | None, priority: str | None, problems: _Problems) -> None:
    """camunda:priority and camunda:taskPriority: a whole number or ${expression}."""
    if priority and not expressions_in(priority) and not priority.strip().lstrip("-").isdigit():
        problems.add(element, line, f"priority {priority!r} is not a whole number or ${{expression}}")


def check_diagram(parsed: ParsedProcess, known_org_codes: set[str]) -> None:
    """Raise DiagramInvalid listing every problem found, keyed by element id."""
    problems = _Problems()
    find_unsupported(parsed.tree, problems)
    _check_reserved_ids(parsed, problems)
    _check_xml_expressions(parsed, problems)
    _check_camunda_expressions(parsed, problems)
    for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            cfg = human_config(task_spec)
            if cfg is not None:
                _check_human_task(task_spec.bpmn_id, cfg, known_org_codes, problems)
            external = external_config(task_spec)
            if external is not None:
                node = parsed.tree.xpath(f"//*[@id='{task_spec.bpmn_id}']")[0]
                _check_priority(task_spec.bpmn_id, node.sourceline, external.priority, problems)
            form = getattr(task_spec, "civicflow_form", None)
            if form is not None:
                line = parsed.tree.xpath(f"//*[@id='{task_spec.bpmn_id}']")[0].sourceline
                _check_form(task_spec.bpmn_id, line, form, problems, required=False)
    check_decisions(parsed, problems.add)
    if problems.by_element:
        raise problems.error()
