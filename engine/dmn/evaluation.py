"""Evaluating a decision against case data as Camunda 7 does: required decisions first, each
input when a rule first needs it, the rules' tests, then the hit policy.

Every failure is a DecisionError whose message names the decision (and the rule or input) and
the cause; it is raised without its cause attached so that whoever reports the failure shows
this message rather than the bare expression error underneath."""
from __future__ import annotations

from collections.abc import Mapping

from SpiffWorkflow.dmn.specs.model import Rule

from .. import expressions
from .model import HIT_POLICIES, SINGLE_ROW_POLICIES, Decision, Input

Row = dict[str, object]  # one matched rule's outputs, by output name


class DecisionError(Exception):
    """A decision could not be evaluated; the message is meant for the admin of the diagram."""


class DecisionEngine:
    """Evaluates one decision of the catalogue of decisions uploaded with the diagram."""

    def __init__(self, decisions: Mapping[str, Decision], decision_id: str | None) -> None:
        self.decisions, self.decision_id = decisions, decision_id

    @property
    def decision(self) -> Decision:
        return self._find(self.decision_id, "camunda:decisionRef")

    def rows(self, data: Mapping[str, object]) -> list[Row]:
        """The decision's result for ``data``: one row per rule the hit policy keeps."""
        return self._evaluate(self.decision, data, {}, ())

    def _find(self, decision_id: str | None, referrer: str) -> Decision:
        decision = self.decisions.get(decision_id) if decision_id else None
        if decision is None or decision.table is None:
            raise DecisionError(f"{referrer} {decision_id!r} is no decision table of the uploaded DMN files"
                                f" (known: {', '.join(self.decisions) or 'none'})")
        if decision.problems:  # stored before today's upload checks: fail loudly, never mismatch
            line, message = decision.problems[0]
            raise DecisionError(f"{message} (line {line} of {decision.filename}); upload the table again, fixed")
        return decision

    def _evaluate(self, decision: Decision, data: Mapping[str, object], done: dict[str, list[Row]],
                  path: tuple[str, ...]) -> list[Row]:
        if decision.id in done:
            return done[decision.id]
        if decision.id in path:
            raise DecisionError(f"decision {decision.id!r} requires itself: {' → '.join(path + (decision.id,))}")
        context = dict(data)
        for required_id in decision.required:
            required = self._find(required_id, f"decision {decision.id!r}: required decision")
            context.update(required_values(required, self._evaluate(required, data, done, path + (decision.id,))))
        done[decision.id] = apply_hit_policy(decision, self._matches(decision, context))
        return done[decision.id]

    def _matches(self, decision: Decision, context: dict) -> list[tuple[Rule, Row]]:
        table = decision.table
        if table.hit_policy not in HIT_POLICIES:
            raise DecisionError(f"decision {decision.id!r}: unknown hit policy {table.hit_policy!r}")
        scopes: dict[int, dict] = {}  # per input: the context plus its value, computed once

        def scope(i: int) -> dict:
            if i not in scopes:
                column = table.inputs[i]
                scopes[i] = {**context, column.variable: _input_value(decision, column, context)}
            return scopes[i]

        matched = []
        for rule in table.rules:
            if all(entry.test is None or _passes(decision, rule, entry, scope(i))
                   for i, entry in enumerate(rule.inputEntries)):
                matched.append((rule, _outputs(decision, rule, context)))
                if table.hit_policy == "FIRST":
                    break
        return matched


def _evaluate(expression: str, scope: dict, where: str) -> object:
    try:
        return expressions.evaluate(expression, scope)
    except expressions.ExpressionError as exc:
        raise DecisionError(f"{where}: {exc.reason}") from None


def _input_value(decision: Decision, column: Input, context: dict) -> object:
    where = f"decision {decision.id!r}, input {column.label or column.id!r} ({column.expression!r})"
    return coerce(_evaluate(column.expression, context, where), column.typeRef, where)


def _passes(decision: Decision, rule: Rule, entry, scope: dict) -> bool:
    where = f"decision {decision.id!r}, rule {rule.id!r} (row {rule.row_number}), input entry {entry.text!r}"
    return bool(_evaluate(entry.test, scope, where))


def _outputs(decision: Decision, rule: Rule, context: dict) -> Row:
    row = {}
    for entry in rule.outputEntries:
        where = f"decision {decision.id!r}, rule {rule.id!r} (row {rule.row_number}), output entry {entry.text!r}"
        row[entry.output.key] = coerce(_evaluate(entry.expression, context, where), entry.output.typeRef, where)
    return row


def apply_hit_policy(decision: Decision, matched: list[tuple[Rule, Row]]) -> list[Row]:
    """The rows a table's hit policy (and COLLECT aggregation) keeps, in result order."""
    table, policy = decision.table, decision.table.hit_policy
    rules = ", ".join(repr(rule.id) for rule, _ in matched)
    if policy == "UNIQUE" and len(matched) > 1:
        raise DecisionError(f"decision {decision.id!r} has hit policy UNIQUE, but rules {rules} all match")
    if policy == "ANY" and any(row != matched[0][1] for _, row in matched):
        raise DecisionError(f"decision {decision.id!r} has hit policy ANY, but rules {rules} match"
                            " with different outputs")
    if policy in ("PRIORITY", "OUTPUT ORDER"):  # stable: rule order among equals, or without values
        matched = sorted(matched, key=lambda m: _priority(table, m[1]))
    rows = [row for _, row in matched]
    if table.aggregation:
        return _aggregate(decision, rows)
    return rows[:1] if policy in SINGLE_ROW_POLICIES else rows


def _priority(table, row: Row) -> tuple[int, ...]:
    return tuple(output.values.index(row[output.key]) if row[output.key] in output.values
                 else len(output.values) for output in table.outputs if output.values)


_AGGREGATE = {"SUM": sum, "MIN": min, "MAX": max}


def _aggregate(decision: Decision, rows: list[Row]) -> list[Row]:
    table = decision.table
    name = table.outputs[0].key
    values = [row[name] for row in rows if row[name] is not None]
    if table.aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []
    try:
        return [{name: _AGGREGATE[table.aggregation](values)}]
    except TypeError as exc:
        raise DecisionError(f"decision {decision.id!r}: cannot {table.aggregation} {values!r}: {exc}") from None


def required_values(decision: Decision, rows: list[Row]) -> dict[str, object]:
    """What a required decision puts into the context of the decision that requires it: each
    output by name, as Camunda 7 does (a list per output for a multi-row result), and the
    decision's id bound to its whole result (one value, one dict, or a list)."""
    table, names = decision.table, decision.table.output_names()
    if table.single_row:
        row = rows[0] if rows else dict.fromkeys(names)
        whole = (row[names[0]] if len(names) == 1 else dict(row)) if rows else None
        return {decision.id: whole, **row}
    columns = {name: [row.get(name) for row in rows] for name in names}
    return {decision.id: columns[names[0]] if len(names) == 1 else list(rows), **columns}


def _to_int(value: object) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError
    return int(value)  # type: ignore[arg-type]


def _to_float(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError
    return float(value)  # type: ignore[arg-type]


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError


def _to_str(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError


_CONVERTERS = {"string": _to_str, "integer": _to_int, "long": _to_int, "double": _to_float,
               "boolean": _to_bool}


def coerce(value: object, type_ref: str | None, where: str) -> object:
    """``value`` as the column's typeRef (string, integer, long, double, boolean), as Camunda
    converts inputs and outputs; other types and null pass unchanged."""
    convert = _CONVERTERS.get((type_ref or "").lower())
    if value is None or convert is None:
        return value
    try:
        return convert(value)
    except (TypeError, ValueError, OverflowError):
        raise DecisionError(f"{where}: {value!r} is not a {type_ref}") from None
