"""A parsed DMN decision: SpiffWorkflow's model, extended with what Camunda 7 evaluates and
SpiffWorkflow ignores (every hit policy, COLLECT aggregation, output value order, required
decisions), with every entry compiled to a CivicFlow expression (see engine.dmn.feel)."""
from __future__ import annotations

from SpiffWorkflow.dmn.specs import model

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
SINGLE_ROW_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY")  # at most one matched rule counts
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
INPUT_VARIABLE = "cellInput"  # Camunda's name for the input value inside an input entry


class Decision(model.Decision):
    """One ``<decision>``. ``problems`` are (line, message) pairs found while parsing; an upload
    with any of them is refused (engine.dmn.validation), so a stored one has none."""

    def __init__(self, id: str, name: str, line: int | None, filename: str) -> None:
        super().__init__(id, name)
        self.line, self.filename = line, filename
        self.required: list[str] = []  # ids of the decisions whose results feed this one
        self.problems: list[tuple[int | None, str]] = []

    @property
    def table(self) -> DecisionTable | None:
        return self.decisionTables[0] if self.decisionTables else None


class DecisionTable(model.DecisionTable):
    def __init__(self, id: str, name: str, hit_policy: str, aggregation: str | None) -> None:
        super().__init__(id, name, hit_policy)
        self.aggregation = aggregation

    @property
    def single_row(self) -> bool:
        """True when the result is at most one row: a single-hit policy or an aggregation."""
        return self.hit_policy in SINGLE_ROW_POLICIES or self.aggregation is not None

    def output_names(self) -> list[str]:
        return [output.key for output in self.outputs]


class Input(model.Input):
    """``variable`` holds the input value while its entries are tested (camunda:inputVariable)."""

    def __init__(self, id: str, label: str, name: str, expression: str | None, typeRef: str,
                 variable: str = INPUT_VARIABLE) -> None:
        super().__init__(id, label, name, expression, typeRef)
        self.variable = variable


class Output(model.Output):
    """``values`` are the allowed output values in priority order (PRIORITY, OUTPUT ORDER)."""

    def __init__(self, id: str, label: str, name: str, typeRef: str, values: list) -> None:
        super().__init__(id, label, name, typeRef)
        self.values = values

    @property
    def key(self) -> str:
        # Camunda names a result entry after the output's name; SpiffWorkflow fell back to the label.
        return self.name or self.label or self.id


class InputEntry(model.InputEntry):
    """``test`` is the compiled unary test over the input's variable; None matches anything."""

    def __init__(self, id: str, input: Input, text: str, test: str | None) -> None:
        super().__init__(id, input)
        self.text, self.test = text, test


class OutputEntry(model.OutputEntry):
    """``expression`` is the compiled output entry."""

    def __init__(self, id: str, output: Output, text: str, expression: str) -> None:
        super().__init__(id, output)
        self.text, self.expression = text, expression
