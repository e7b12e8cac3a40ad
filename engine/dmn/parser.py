"""Reading DMN files and businessRuleTasks, extending SpiffWorkflow's parsers.

SpiffWorkflow registers only the first decision of a DMN file, reads Python where Camunda users
write FEEL, and fails with a KeyError on a businessRuleTask without camunda:decisionRef. Here
every decision is registered by id and compiled when the file is added, and whatever is wrong
is kept as a problem for the upload check (engine.dmn.validation) to report with the rest."""
from __future__ import annotations

from lxml import etree
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, BusinessRuleTaskParser
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.dmn.specs import model as spiff_model

from .. import expressions
from . import feel
from .model import (AGGREGATIONS, HIT_POLICIES, INPUT_VARIABLE, Decision, DecisionTable, Input,
                    InputEntry, Output, OutputEntry)

CAMUNDA = f"{{{CAMUNDA_MODEL_NS}}}"
CAMUNDA_DMN = "{http://camunda.org/schema/1.0/dmn}"


class DecisionParser(DMNParser):
    """Parses one ``<decision>`` element (SpiffWorkflow's parses the first of a file)."""

    @property
    def bpmn_id(self) -> str:
        return self.node.get("id")

    def get_name(self) -> str:
        return self.node.get("name") or self.bpmn_id

    def parse(self) -> None:
        node = self.node
        self.decision = decision = Decision(self.bpmn_id, node.get("name") or "", node.sourceline, self.filename)
        decision.required = [href.lstrip("#") for href in
                             self.xpath("dmn:informationRequirement/dmn:requiredDecision/@href")]
        self._parse_decision_tables(decision, node)
        if decision.table is None:
            self._problem(node, f"decision {decision.id!r} has no decision table"
                          " (literal expression decisions are not supported)")

    def _problem(self, node, message: str) -> None:
        self.decision.problems.append((node.sourceline, message))

    def _parse_decision_tables(self, decision: Decision, decision_element) -> None:
        for node in self._xpath(decision_element, "dmn:decisionTable"):
            policy = " ".join((node.get("hitPolicy") or "UNIQUE").split()).upper()
            aggregation = (node.get("aggregation") or "").strip().upper() or None
            if policy not in HIT_POLICIES:
                self._problem(node, f"decision {decision.id!r}: unknown hit policy {node.get('hitPolicy')!r}"
                              f" (known: {', '.join(HIT_POLICIES)})")
            if aggregation is not None and aggregation not in AGGREGATIONS:
                self._problem(node, f"decision {decision.id!r}: unknown aggregation {aggregation!r}"
                              f" (known: {', '.join(AGGREGATIONS)})")
            elif aggregation is not None and policy != "COLLECT":
                self._problem(node, f"decision {decision.id!r}: aggregation {aggregation} needs hit policy COLLECT")
            table = DecisionTable(node.get("id") or decision.id, node.get("name") or "", policy, aggregation)
            decision.decisionTables.append(table)
            self._parse_inputs_outputs(table, node)
            self._check_table(decision, table, node)

    def _check_table(self, decision: Decision, table: DecisionTable, node) -> None:
        if not table.outputs:
            self._problem(node, f"decision {decision.id!r} has no output")
        if table.aggregation and len(table.outputs) != 1:
            self._problem(node, f"decision {decision.id!r}: {table.aggregation} aggregates one output,"
                          f" the table has {len(table.outputs)}")

    def _parse_input(self, input_element) -> Input:
        expression = self._xpath(input_element, "dmn:inputExpression")
        text = expression[0].findtext("dmn:text", namespaces=self.nsmap) if expression else None
        what = f"decision {self.bpmn_id!r}, input {input_element.get('label') or input_element.get('id')!r}"
        # Input expressions are CivicFlow expressions, as gateway conditions are; entries are FEEL.
        if not (text or "").strip():
            self._problem(input_element, f"{what} has no input expression")
        else:
            try:
                expressions.check_expression(text)
            except expressions.ExpressionError as exc:
                self._problem(input_element, f"{what}: expression {text!r} refused: {exc.reason}")
        return Input(input_element.get("id"), input_element.get("label") or "", input_element.get("name") or "",
                     text, (expression[0].get("typeRef") or "") if expression else "",
                     input_element.get(f"{CAMUNDA_DMN}inputVariable") or INPUT_VARIABLE)

    def _parse_output(self, output_element) -> Output:
        values_text = output_element.findtext("dmn:outputValues/dmn:text", namespaces=self.nsmap)
        try:
            values = [expressions.evaluate(item, {}) for item in feel.literal_list(values_text)]
        except feel.FeelError as exc:
            self._problem(output_element, f"decision {self.bpmn_id!r}, output {output_element.get('id')!r}:"
                          f" output values {values_text!r}: {exc.reason}")
            values = []
        return Output(output_element.get("id"), output_element.get("label") or "",
                      output_element.get("name") or "", output_element.get("typeRef") or "", values)

    def _parse_input_output_element(self, decision_table, element, cls, idx):
        """One input or output entry of a rule, compiled; an extra entry is dropped (and refused)."""
        is_input = cls is spiff_model.InputEntry
        columns = decision_table.inputs if is_input else decision_table.outputs
        if idx >= len(columns):
            return None
        text = element.findtext("dmn:text", namespaces=self.nsmap) or ""
        try:
            compiled = feel.unary_test(text, columns[idx].variable) if is_input else feel.output_expression(text)
        except feel.FeelError as exc:
            self._problem(element, f"decision {self.bpmn_id!r}, rule {element.getparent().get('id')!r},"
                          f" {'input' if is_input else 'output'} entry {text!r}: {exc.reason}")
            compiled = "False" if is_input else "None"  # never runs: the upload is refused
        entry = (InputEntry if is_input else OutputEntry)(element.get("id"), columns[idx], text, compiled)
        entry.description = element.findtext("dmn:description", namespaces=self.nsmap) or ""
        return entry

    def _parse_rule(self, decisionTable, ruleElement, rowNumber):
        rule = super()._parse_rule(decisionTable, ruleElement, rowNumber)
        if (len(rule.inputEntries), len(rule.outputEntries)) != (len(decisionTable.inputs), len(decisionTable.outputs)):
            self._problem(ruleElement, f"decision {self.bpmn_id!r}, rule {rule.id!r}: {len(rule.inputEntries)} input"
                          f" and {len(rule.outputEntries)} output entries for a table of"
                          f" {len(decisionTable.inputs)} inputs and {len(decisionTable.outputs)} outputs")
        rule.inputEntries = [e for e in rule.inputEntries if e is not None]
        rule.outputEntries = [e for e in rule.outputEntries if e is not None]
        return rule


def add_decisions(parser: BpmnDmnParser, root: etree._Element, filename: str) -> None:
    """Register every decision of one DMN file with ``parser`` by id, parsed and compiled now.
    Replaces ``parser.add_dmn_xml`` (which registers only the first, uncompiled)."""
    namespaces = {**parser.namespaces, **{k: v for k, v in root.nsmap.items() if k}}
    namespaces["dmn"] = etree.QName(root).namespace
    for node in root.findall("dmn:decision", namespaces=namespaces):
        decision_parser = DecisionParser(parser, node, namespaces, filename=filename)
        decision_parser.parse()
        decision = decision_parser.decision
        if decision.id in parser.dmn_parsers:
            decision.problems.append((node.sourceline, f"decision id {decision.id!r} is defined twice"
                                      f" (also in {parser.dmn_parsers[decision.id].filename})"))
        parser.dmn_parsers[decision.id] = decision_parser
        parser.dmn_parsers_by_name[decision_parser.get_name()] = decision_parser


def decisions_of(parser: BpmnDmnParser) -> dict[str, Decision]:
    """Every decision added with add_decisions, by id."""
    return {key: p.decision for key, p in parser.dmn_parsers.items() if isinstance(p, DecisionParser)}


class DecisionTaskParser(BusinessRuleTaskParser):
    """A businessRuleTask: its decisionRef, resultVariable and mapDecisionResult. A missing or
    unknown decisionRef is not an error here but in the upload check, beside every other one."""

    def create_task(self):
        return self.spec_class(
            self.spec, self.bpmn_id, decision_ref=self.get_decision_ref(self.node),
            decisions=decisions_of(self.process_parser.parser),
            result_variable=self.attribute("resultVariable", "camunda") or None,
            map_decision_result=self.attribute("mapDecisionResult", "camunda") or None,
            line=self.node.sourceline, **self.bpmn_attributes)

    @staticmethod
    def get_decision_ref(node) -> str | None:
        # SpiffWorkflow's raises KeyError when the attribute is missing (MIWG C.7.0, C.8.x, C.9.0).
        return (node.get(f"{CAMUNDA}decisionRef") or "").strip() or None
